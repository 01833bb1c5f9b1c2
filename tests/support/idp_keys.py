"""Signing keys of the test identity provider, generated at test time (never stored)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    """A private key, its algorithm (RS256 or ES256) and its key id."""

    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @classmethod
    def generate(cls, algorithm: str) -> SigningKey:
        if algorithm == "RS256":
            return cls(algorithm, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        if algorithm == "ES256":
            return cls(algorithm, ec.generate_private_key(ec.SECP256R1()))
        raise ValueError(f"the test provider signs RS256 or ES256, not {algorithm}")

    def public_jwk(self) -> dict[str, Any]:
        """The JWKS entry of its public key."""
        if isinstance(self.private, rsa.RSAPrivateKey):
            jwk = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def sign(self, claims: dict[str, Any], *, kid: str | None = "") -> str:
        """The claims signed with this key; ``kid`` None leaves the key id out, a string other
        than "" names another one."""
        headers = {} if kid is None else {"kid": kid or self.kid}
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers=headers)
