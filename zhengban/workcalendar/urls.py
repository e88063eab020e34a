app_name = "workcalendar"

urlpatterns = []

# Mounted under /api/workcalendar/ by zhengban/urls.py.
api_urlpatterns = []
