from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("<int:pk>/slip.pdf", views.slip, name="slip"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
]

# Mounted under /api/approvals/ by zhengban/urls.py.
api_urlpatterns = []
