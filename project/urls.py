from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Source-bias annotation — administration"
admin.site.site_title = "Source-bias annotation"
admin.site.index_title = "Campaign administration"
admin.site.site_url = "/"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("annotator.urls")),
]

handler400 = "annotator.views.errors.bad_request"
