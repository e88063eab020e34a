from django.urls import path

from . import archive_views, incoming
from . import outgoing_views as views

app_name = "documents"

urlpatterns = [
    path("outgoing/import/", views.import_docx, name="outgoing_import"),
    path("outgoing/<int:pk>/preview.pdf", views.preview, name="outgoing_preview"),
    path("outgoing/<int:pk>/check/", views.check, name="outgoing_check"),
    path("outgoing/<int:pk>/reimport/", views.reimport_docx, name="outgoing_reimport"),
    path("outgoing/<int:pk>/files/<str:kind>/", views.file_download, name="outgoing_file"),
    path("outgoing/<int:pk>/files/<str:kind>/verify/", views.file_verify, name="outgoing_verify"),
    path(
        "outgoing/<int:pk>/receipts/<int:receipt_pk>/remind/",
        views.receipt_remind,
        name="receipt_remind",
    ),
    path("archive/", archive_views.register, name="archive"),
    path("archive/<int:pk>/file.pdf", archive_views.item_file, name="archive_file"),
    path("archive/package.zip", archive_views.package, name="archive_package"),
    path("exchange/", views.exchange_inbox, name="exchange"),
    path("exchange/<int:pk>/", views.receipt_detail, name="receipt"),
    path("exchange/<int:pk>/files/<str:kind>/", views.receipt_file, name="receipt_file"),
    path("exchange/<int:pk>/sign/", views.receipt_sign, name="receipt_sign"),
    path("exchange/<int:pk>/return/", views.receipt_return, name="receipt_return"),
]

# Mounted under /api/documents/ by zhengban/urls.py.
urlpatterns += incoming.urlpatterns

api_urlpatterns = []
