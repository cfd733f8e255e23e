"""Personal data at rest: encryption, blind indexes and masks.

- **Encryption**: AES-256-GCM (``cryptography``). A stored value is
  ``version(1) | key id(1) | nonce(12) | ciphertext+tag`` — 47 bytes for an ID number —
  so the key that wrote it is known and keys can be rotated: new writes use the first key
  in ``PII_ENCRYPTION_KEYS``, every listed key still decrypts, and
  ``manage.py rotate_pii_keys`` rewrites old rows with the current key.
  (Fernet would serve too, but its tokens are three times the size and slower to make; at
  ten million members both matter.)
- **Blind index**: HMAC-SHA256 under a separate key (``PII_HASH_KEY``), namespaced per kind
  of value, for exact look-up and uniqueness without the plain value.
- **Masks** are what everyone sees by default: ``110105********123X``, ``138****5678``. They
  are stored beside the ciphertext so lists never decrypt.

Keys come from the environment. The embedded default derives development keys from
SECRET_KEY so the demo runs with no set-up; production refuses to start without real keys.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = 1


class Keys:
    def __init__(self, encryption: list[tuple[int, bytes]], hash_key: bytes):
        if not encryption:
            raise ImproperlyConfigured("PII_ENCRYPTION_KEYS lists no key")
        self.current_id = encryption[0][0]
        self.raw = dict(encryption)
        self.ciphers = {kid: AESGCM(key) for kid, key in encryption}
        self.current = self.ciphers[self.current_id]
        self.hash_key = hash_key


def parse_key_list(raw: str) -> list[tuple[int, bytes]]:
    """``"2:base64key,1:base64key"`` → ``[(2, key), (1, key)]`` (first = current)."""
    keys = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        kid, _, b64 = part.partition(":")
        key = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        if not kid.isdigit() or not 0 < int(kid) < 256 or len(key) != 32:
            raise ImproperlyConfigured("PII_ENCRYPTION_KEYS entries are id:base64(32 bytes), id 1–255")
        keys.append((int(kid), key))
    return keys


@cache
def keys() -> Keys:
    if settings.PII_ENCRYPTION_KEYS:
        encryption = parse_key_list(settings.PII_ENCRYPTION_KEYS)
        hash_key = base64.urlsafe_b64decode(settings.PII_HASH_KEY + "=" * (-len(settings.PII_HASH_KEY) % 4))
        if len(hash_key) < 32:
            raise ImproperlyConfigured("PII_HASH_KEY must be at least 32 bytes, base64")
        return Keys(encryption, hash_key)
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_HASH_KEY are required in production")
    seed = settings.SECRET_KEY.encode()
    return Keys(
        [(1, hashlib.sha256(b"gonghui-dev-pii-encryption" + seed).digest())],
        hashlib.sha256(b"gonghui-dev-pii-hash" + seed).digest(),
    )


def reset_keys_cache() -> None:
    keys.cache_clear()


def encrypt(plain: str) -> bytes:
    k = keys()
    nonce = os.urandom(12)
    return bytes([VERSION, k.current_id]) + nonce + k.current.encrypt(nonce, plain.encode("utf-8"), None)


def decrypt(token: bytes) -> str:
    token = bytes(token)
    if token[0] != VERSION:
        raise ValueError("unknown personal-data format")
    cipher = keys().ciphers.get(token[1])
    if cipher is None:
        raise ImproperlyConfigured(f"personal data written with key id {token[1]}, which is not configured")
    return cipher.decrypt(token[2:14], token[14:], None).decode("utf-8")


def key_id_of(token: bytes) -> int:
    return bytes(token)[1]


def blind_index(kind: str, plain: str) -> bytes:
    """Deterministic keyed hash of a normalised value, for exact match and uniqueness."""
    # hmac.digest: the same HMAC in one call to OpenSSL (imports hash two values a row).
    return hmac.digest(keys().hash_key, f"{kind}:{plain}".encode(), "sha256")


def mask_id_number(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)
