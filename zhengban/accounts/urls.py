from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/totp/", views.totp_enrol, name="totp_enrol"),
    # 系统管理员
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("configuration/", views.configuration, name="configuration"),
    # 安全保密管理员
    path("security/", views.security, name="security"),
    path("security/policy/", views.security_policy, name="security_policy"),
    path("security/addresses/unblock/", views.address_unblock, name="address_unblock"),
    path("security/users/<int:pk>/", views.security_user, name="security_user"),
    path("security/users/<int:pk>/<slug:act>/", views.security_user_act, name="security_user_act"),
]

# Mounted under /api/accounts/ by zhengban/urls.py.
api_urlpatterns = []
