from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "zhengban.routing"
    verbose_name = "职责匹配"
