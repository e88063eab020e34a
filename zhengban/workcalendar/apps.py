from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "zhengban.workcalendar"
    verbose_name = "工作日历"
