app_name = "audit"

urlpatterns = []

# Mounted under /api/audit/ by zhengban/urls.py.
api_urlpatterns = []
