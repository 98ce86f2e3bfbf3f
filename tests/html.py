from html import unescape


def text(response):
    """The page's HTML with entities decoded (so "l'emploi" matches "l&#x27;emploi")."""
    return unescape(response.content.decode())
