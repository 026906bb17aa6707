"""One screen per module; screens get data as attributes and send `messages` up."""
