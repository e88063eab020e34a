app_name = "cases"

urlpatterns = []

# Mounted under /api/cases/ by zhengban/urls.py.
api_urlpatterns = []
