app_name = "routing"

urlpatterns = []

# Mounted under /api/routing/ by zhengban/urls.py.
api_urlpatterns = []
