from django.db import models


class Customer(models.Model):
    name = models.TextField()
    email = models.TextField()

    class Meta:
        managed = False
        db_table = "customers"


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, related_name="orders")
    status = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "orders"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.DO_NOTHING, related_name="items")
    product_name = models.TextField()
    qty = models.IntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        managed = False
        db_table = "order_items"
