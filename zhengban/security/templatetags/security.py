from django import template
from django.utils.html import format_html

from zhengban.security.formtokens import FIELD, form_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context, purpose, *parts):
    """A hidden one-time token for this form. Extra arguments are joined with ":", so
    {% form_token "cases.comment" case.pk %} is the purpose "cases.comment:42"."""
    request = context["request"]
    purpose = ":".join([str(purpose), *(str(part) for part in parts)])
    token = form_token_issue(user=request.user, purpose=purpose)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)
