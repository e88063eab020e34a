from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "zhengban.meetings"
    verbose_name = "会议"

    def ready(self) -> None:
        from zhengban.cases.casetypes import register_case_type

        from .workflows import AGENDA_ITEM, MEETING

        register_case_type(MEETING)
        register_case_type(AGENDA_ITEM)
        self._name_timeline_events()

    @staticmethod
    def _name_timeline_events() -> None:
        from zhengban.cases.selectors import register_event_label

        from .events import CASE_EVENTS

        for code, label in CASE_EVENTS:
            register_event_label(code, label)
