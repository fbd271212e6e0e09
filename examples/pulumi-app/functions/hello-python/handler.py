from greeting import greet


def handler(event, context):
    return {"message": greet((event or {}).get("name", "world"))}
