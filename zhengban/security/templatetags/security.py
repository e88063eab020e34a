from django import template
from django.utils.html import format_html

from zhengban.security.formtokens import FIELD, form_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context, purpose):
    """A hidden one-time token for this form: {% form_token "cases.comment:42" %}."""
    request = context["request"]
    token = form_token_issue(user=request.user, purpose=str(purpose))
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
