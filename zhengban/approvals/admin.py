"""Django admin for the 请示事项类别; saves go through the service (permission, audit)."""

from django.contrib import admin

from . import services
from .models import ApprovalCategory


@admin.register(ApprovalCategory)
class ApprovalCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "active")
    list_editable = ()
    fields = ("name", "code", "order", "active")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return services.can_edit_categories(request.user)

    def has_change_permission(self, request, obj=None):
        return services.can_edit_categories(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # retire a category (在用 off); the 签报 that name it keep it

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj, actor=request.user)
