"""Read a download the way a browser does: downloads are streamed."""


def body(response) -> bytes:
    """Return the whole body of a response, streamed or not (read once, then kept)."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body
