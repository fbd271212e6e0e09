"""Prices an order with the shared acme_pricing package from the Python dependency layer."""
import json

from acme_pricing import total


def handler(event, _context):
    lines = event.get("lines", [])
    return {"statusCode": 200, "body": json.dumps({"total": total(lines)})}
