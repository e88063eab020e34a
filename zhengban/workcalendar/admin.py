"""Django admin for the calendar tables; saves go through the services (audit, cache)."""

from django.contrib import admin

from . import services
from .models import CalendarOverride, CalendarYear
from .policies import can_edit_calendar


class _CalendarAdmin(admin.ModelAdmin):
    readonly_fields = ("updated_at", "updated_by")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return can_edit_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_edit_calendar(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_CalendarAdmin):
    list_display = ("date", "is_workday", "note", "updated_at", "updated_by")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)
    fields = ("date", "is_workday", "note", "updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            # Moving an override to another day: drop the old day, then set the new one.
            old = CalendarOverride.objects.get(pk=obj.pk)
            services.calendar_override_delete(override=old, actor=request.user)
        saved = services.calendar_override_set(
            date=obj.date, is_workday=obj.is_workday, note=obj.note, actor=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.calendar_override_delete(override=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.calendar_override_delete(override=obj, actor=request.user)


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    list_display = ("year", "complete", "source", "updated_at", "updated_by")
    fields = ("year", "complete", "source", "updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        saved = services.calendar_year_set(
            year=obj.year, complete=obj.complete, source=obj.source, actor=request.user
        )
        obj.pk = saved.pk

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    def delete_model(self, request, obj):
        services.calendar_year_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.calendar_year_delete(row=obj, actor=request.user)
