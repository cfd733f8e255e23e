"""The JSON API under /api/v1/ (django-ninja: typed schemas and the OpenAPI document
come from the same declarations, so the document cannot drift from the code)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth


class BearerToken(HttpBearer):
    """``Authorization: Bearer …``. The token is resolved once per request by the
    middleware (which also enters the token owner's organisation scope)."""

    def authenticate(self, request, token):
        api_token = getattr(request, "api_token", None)
        if api_token is not None and api_token.staff.can("orgs.view"):
            return api_token
        return None


class StaffSession(SessionAuth):
    """The workspace's own session (with CSRF), for pages that call the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "can", None) and user.can("orgs.view"):
            return user
        return None


api = NinjaAPI(
    title="Gonghui API",
    version="1",
    description="工会服务平台开放接口 · Gonghui trade-union platform API",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[BearerToken(), StaffSession()],
)


def _error(request, status, detail, errors=None):
    body = {"detail": detail}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _schema_message(err: dict) -> str:
    """Pydantic's error, said in the user's language."""
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    messages = {
        "missing": _("此字段为必填项。"),
        "string_too_short": _("内容太短（至少 %(n)s 个字符）。") % {"n": ctx.get("min_length")},
        "string_too_long": _("内容太长（最多 %(n)s 个字符）。") % {"n": ctx.get("max_length")},
        "string_pattern_mismatch": _("格式不正确。"),
        "string_type": _("应为文本。"),
        "int_parsing": _("请输入整数。"),
        "int_type": _("请输入整数。"),
        "int_from_float": _("请输入整数。"),
        "decimal_parsing": _("请输入数字。"),
        "bool_parsing": _("请输入 true 或 false。"),
        "greater_than_equal": _("不能小于 %(v)s。") % {"v": ctx.get("ge")},
        "less_than_equal": _("不能大于 %(v)s。") % {"v": ctx.get("le")},
        "enum": _("不是有效的选项，可选值：%(v)s。") % {"v": ctx.get("expected")},
        "json_invalid": _("请求内容不是有效的 JSON。"),
    }
    return messages.get(kind) or err.get("msg", "")


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(_schema_message(err))
    return _error(request, 422, _("提交的数据有误，请按字段提示修改。"), errors)


@api.exception_handler(DjangoValidationError)
def on_service_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = exc.message_dict
    else:
        errors = {"__all__": exc.messages}
    return _error(request, 422, _("提交的数据有误，请按字段提示修改。"), errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, _("未登录或令牌无效。"))


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, 403, str(exc) or _("您没有执行此操作的权限。"))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, _("未找到。"))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


from gonghui.appeals.api import appeals_router  # noqa: E402
from gonghui.appeals.api import router as sms_router  # noqa: E402
from gonghui.cards.api import router as cards_router  # noqa: E402
from gonghui.mediation.api import router as mediation_router  # noqa: E402
from gonghui.members.api import router as members_router  # noqa: E402
from gonghui.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/", orgs_router)
api.add_router("/", members_router)
api.add_router("/", cards_router)
api.add_router("/", appeals_router)
api.add_router("/", sms_router)
api.add_router("/", mediation_router)
