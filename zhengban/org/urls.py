app_name = "org"

urlpatterns = []

# Mounted under /api/org/ by zhengban/urls.py.
api_urlpatterns = []
