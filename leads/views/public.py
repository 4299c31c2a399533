"""Web-to-lead, the public endpoint a company's website posts to (no login, no CSRF cookie:
see leads/services/webtolead.py for how it is protected instead)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from crm.access import PUBLIC, access
from crm.api.errors import error_body
from crm.errors import DomainError
from crm.http import client_ip, request_origin
from leads.models import Timeframe, WebForm
from leads.services.webtolead import HONEYPOT_FIELD, VISITOR_REGIONS, web_to_lead_submit


@csrf_exempt
@access(PUBLIC)
def web_to_lead(request: HttpRequest) -> HttpResponse:
    """GET: the hosted form; POST: one submission → thank-you page, redirect or error page."""
    key = request.GET.get("form", "") or request.POST.get("form", "")
    form = WebForm.objects.filter(public_key=key, is_active=True).first() if key else None
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method != "POST":
        return render(
            request,
            "leads/w2l_form.html",
            {
                "webform": form,
                "timeframes": Timeframe.choices,
                "regions": VISITOR_REGIONS,
                "honeypot": HONEYPOT_FIELD,
            },
        )
    try:
        web_to_lead_submit(
            data=request.POST.dict(),
            ip=client_ip(request),
            form_key=key,
            origin=request_origin(request),
        )
    except DomainError as error:
        if wants_json:
            body = error_body(error.status, error.code, error.message)
            if error.field:
                body["error"]["fields"] = {error.field: [error.message]}
            return JsonResponse(body, status=error.status)
        return render(
            request,
            "leads/w2l_result.html",
            {"ok": False, "message": error.message, "back": request.headers.get("Referer", "")},
            status=error.status,
        )
    if wants_json:
        return JsonResponse({"status": "received"}, status=201)
    if form is not None and form.redirect_url:
        return redirect(form.redirect_url)
    return render(request, "leads/w2l_result.html", {"ok": True}, status=201)
