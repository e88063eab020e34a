app_name = "security"

urlpatterns = []

# Mounted under /api/security/ by zhengban/urls.py.
api_urlpatterns = []
