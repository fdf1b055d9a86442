from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Source-bias annotation — administration")
admin.site.site_title = _("Source-bias annotation")
admin.site.index_title = _("Campaign administration")
admin.site.site_url = "/"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Log in and out, change one's password. There is no self-service password reset:
    # managers create accounts and set passwords in the admin (no mail server is needed).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("annotator.urls")),
]

handler400 = "annotator.web.errors.bad_request"
