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
        # The kernel's timeline names the events that are not workflow actions from one
        # table; until it offers a registry for apps, the meeting's events join it here.
        from zhengban.cases.selectors import KERNEL_EVENT_LABELS

        from .events import CASE_EVENTS

        for code, label in CASE_EVENTS:
            KERNEL_EVENT_LABELS.setdefault(code, label)
