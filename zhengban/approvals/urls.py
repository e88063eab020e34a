from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("<int:pk>/slip.pdf", views.slip, name="slip"),
]

# Mounted under /api/approvals/ by zhengban/urls.py.
api_urlpatterns = []
