"""Site-wide response headers that Django's SecurityMiddleware and django-csp do not set."""

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "microphone", "payment", "usb",
    )
)  # fmt: skip


class SecurityHeadersMiddleware:
    """No device feature for any page (Permissions-Policy), and our responses (private files included) are not
    to be embedded by other sites (Cross-Origin-Resource-Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
