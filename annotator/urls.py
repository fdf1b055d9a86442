from django.urls import path

from annotator.views import reports, review, workspace

urlpatterns = [
    path("", workspace.home, name="home"),
    path("p/<slug:slug>/", workspace.project_home, name="project"),
]

# Source profiles, agreement and adjudication (review)
review_prefix = "p/<slug:slug>/review/<int:document_id>/"
urlpatterns += [
    path("sources/", reports.sources, name="sources"),
    path("sources/<int:source_id>/", reports.source, name="source"),
    path("p/<slug:slug>/agreement/", reports.agreement, name="agreement"),
    path(review_prefix, review.review, name="review"),
    path(f"{review_prefix}accept/", review.accept, name="review_accept"),
    path(f"{review_prefix}majority/", review.majority, name="review_majority"),
    path(f"{review_prefix}gold/", review.gold_add, name="review_gold_add"),
    path(f"{review_prefix}gold/<int:gold_id>/", review.gold_edit, name="review_gold_edit"),
    path(
        f"{review_prefix}gold/<int:gold_id>/delete/", review.gold_remove, name="review_gold_delete"
    ),
    path(f"{review_prefix}reviewed/", review.reviewed, name="review_reviewed"),
]
