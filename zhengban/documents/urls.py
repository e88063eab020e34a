app_name = "documents"

urlpatterns = []

# Mounted under /api/documents/ by zhengban/urls.py.
api_urlpatterns = []
