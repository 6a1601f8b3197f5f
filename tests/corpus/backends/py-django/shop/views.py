import time

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from .models import Order

PAGE = 25


def health(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return JsonResponse({"status": "ok"})


def order_list(request):
    """25 orders per page with each order's customer and items.

    FLAW=n-plus-one: the queryset is plain, so the template's order.customer.name and order.items.all run one
    query each per order (1 + 2N, N = 25). Otherwise select_related + prefetch_related: 2 queries.
    """
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    qs = Order.objects.order_by("-id")
    if settings.FLAW != "n-plus-one":
        qs = qs.select_related("customer").prefetch_related("items")
    orders = qs[(page - 1) * PAGE: page * PAGE]
    return render(request, "orders.html", {"orders": orders, "page": page})


def order_detail(request, order_id):
    try:
        order = Order.objects.select_related("customer").get(pk=order_id)
    except Order.DoesNotExist:
        raise Http404
    items = [{"product": i.product_name, "qty": i.qty, "price": str(i.price)} for i in order.items.all()]
    return JsonResponse({"id": order.id, "status": order.status, "customer": order.customer.name, "items": items})


def report(request):
    """A customer's order count (one indexed query), then a slow call to another service.

    FLAW=sync-workers: time.sleep(0.1) stands for that call (a reporting/analytics service taking 100 ms);
    the database is idle meanwhile and the worker is blocked. Otherwise the call is skipped.
    """
    try:
        customer_id = int(request.GET.get("customer", "1"))
    except ValueError:
        raise Http404
    count = Order.objects.filter(customer_id=customer_id).count()
    if settings.FLAW == "sync-workers":
        time.sleep(0.1)
    return JsonResponse({"customer": customer_id, "orders": count})
