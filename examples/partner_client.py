"""A partner's client of the Spine Surgeon Directory: follow one city's top ten, and verify webhooks.

Standard library and `requests` only. Run `python examples/partner_client.py --help`.

- `TopTenFollower.poll()` sends the last ETag back (If-None-Match): an unchanged list is a 304 with no body and
  costs the partner's request budget almost nothing; a new list comes back with its new ETag.
- `verify_signature()` checks the `X-Spine-Signature` header of a webhook delivery before anything trusts it.
- `webhook_receive()` puts the two together: a signed `list.published` or `list.delisted` for the followed city
  triggers a poll at once, instead of waiting for the next scheduled one.
"""

import argparse
import hashlib
import hmac
import json
import time

import requests


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """True when `header` ("t=<unix time>,v1=<hex>") signs `body` with `secret` and is at most `tolerance` s old."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    if abs((time.time() if now is None else now) - int(parts["t"])) > tolerance:
        return False  # an old delivery replayed
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class TopTenFollower:
    """Keeps the latest top ten of one city, fetching it again only when it changed."""

    def __init__(self, base_url: str, api_key: str, city: str, *, session: requests.Session | None = None):
        self.url = f"{base_url.rstrip('/')}/api/v1/cities/{city}/top-ten/"
        self.city = city
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Api-Key {api_key}"
        self.etag: str | None = None
        self.top_ten: dict | None = None

    def poll(self) -> dict | None:
        """The new list if it changed since the last poll, else None."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.session.get(self.url, headers=headers, timeout=10)
        if response.status_code == 304:
            return None
        if response.status_code == 429:
            time.sleep(int(response.headers.get("Retry-After", "60")))
            return None
        response.raise_for_status()  # a problem+json body says why; its "type" links to a page explaining it
        self.etag, self.top_ten = response.headers["ETag"], response.json()
        return self.top_ten


def webhook_receive(follower: TopTenFollower, secret: str, header: str, body: bytes) -> dict | None:
    """Handle one delivery: refuse a bad signature, and poll at once when the followed city's list changed."""
    if not verify_signature(secret, header, body):
        raise PermissionError("bad webhook signature")
    event = json.loads(body)
    if event["type"] in ("list.published", "list.delisted") and event["city"] == follower.city:
        return follower.poll()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="your partner API key")
    parser.add_argument("--city", default="houston-tx", help="a city slug")
    parser.add_argument("--every", type=int, default=300, help="seconds between polls")
    parser.add_argument("--times", type=int, default=1, help="how many polls")
    args = parser.parse_args()
    follower = TopTenFollower(args.base_url, args.key, args.city)
    for attempt in range(args.times):
        changed = follower.poll()
        if changed:
            names = ", ".join(entry["surgeon"]["name"] for entry in changed["entries"])
            print(f"list {changed['id']} ({changed['published_at']}): {names}")
        else:
            print("unchanged")
        if attempt + 1 < args.times:
            time.sleep(args.every)


if __name__ == "__main__":
    main()
