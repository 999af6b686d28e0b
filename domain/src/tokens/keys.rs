//! Signing key pairs: generated here (aws-lc-rs), published as JWKs, and held parsed in memory
//! so a token costs one signature and nothing else.
//!
//! Tokens are verified everywhere with jsonwebtoken (`verify.rs`, and the tests check every
//! algorithm against independent libraries). Signing uses the same aws-lc-rs primitives that
//! jsonwebtoken's `aws_lc_rs` backend calls, on a key pair parsed once: `jsonwebtoken::encode`
//! parses the PKCS#8 document again for every token, which for ES256 costs about as much as
//! the signature itself.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::{Value, json};

use super::verify::VerificationKey;
use crate::model::settings::SigningAlgorithm;
use crate::{Error, Result};

/// The JOSE algorithm of a setting.
pub fn jose_algorithm(algorithm: SigningAlgorithm) -> Algorithm {
    match algorithm {
        SigningAlgorithm::ES256 => Algorithm::ES256,
        SigningAlgorithm::EdDSA => Algorithm::EdDSA,
        SigningAlgorithm::RS256 => Algorithm::RS256,
    }
}

/// A new key pair: the private key as PKCS#8 DER (to be sealed) and the public key as a JWK.
pub struct GeneratedKey {
    pub private_pkcs8: Vec<u8>,
    pub public_jwk: Value,
}

/// Generates a key pair for `algorithm`, named `kid`.
pub fn generate(kid: &str, algorithm: SigningAlgorithm) -> Result<GeneratedKey> {
    let rng = SystemRandom::new();
    let private_pkcs8 = match algorithm {
        SigningAlgorithm::ES256 => {
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(Error::internal)?
                .as_ref()
                .to_vec()
        }
        SigningAlgorithm::EdDSA => Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(Error::internal)?
            .as_ref()
            .to_vec(),
        SigningAlgorithm::RS256 => {
            use aws_lc_rs::encoding::AsDer;
            aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
                .map_err(Error::internal)?
                .as_der()
                .map_err(Error::internal)?
                .as_ref()
                .to_vec()
        }
    };
    let signer = Signer::from_pkcs8(kid, algorithm, &private_pkcs8)?;
    Ok(GeneratedKey {
        public_jwk: signer.public_jwk(),
        private_pkcs8,
    })
}

enum PairKind {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// A private key, parsed once, that signs tokens.
pub struct Signer {
    kid: String,
    algorithm: SigningAlgorithm,
    pair: PairKind,
    /// The encoded header (`alg`, `kid`, `typ`): the same for every token of this key.
    header: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    kid: &'a str,
    typ: &'a str,
}

impl Signer {
    /// Parses a PKCS#8 private key of `algorithm`.
    pub fn from_pkcs8(kid: &str, algorithm: SigningAlgorithm, pkcs8: &[u8]) -> Result<Self> {
        let pair = match algorithm {
            SigningAlgorithm::ES256 => PairKind::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                    .map_err(Error::internal)?,
            ),
            SigningAlgorithm::EdDSA => {
                PairKind::Ed(Ed25519KeyPair::from_pkcs8(pkcs8).map_err(Error::internal)?)
            }
            SigningAlgorithm::RS256 => {
                PairKind::Rsa(RsaKeyPair::from_pkcs8(pkcs8).map_err(Error::internal)?)
            }
        };
        let header = serde_json::to_vec(&Header {
            alg: algorithm.jose_name(),
            kid,
            typ: "JWT",
        })
        .map_err(Error::internal)?;
        Ok(Self {
            kid: kid.to_owned(),
            algorithm,
            pair,
            header: URL_SAFE_NO_PAD.encode(header),
            rng: SystemRandom::new(),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.algorithm
    }

    /// A compact JWS of `claims`, signed with this key.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String> {
        let payload = serde_json::to_vec(claims).map_err(Error::internal)?;
        let mut token = String::with_capacity(self.header.len() + payload.len() * 4 / 3 + 400);
        token.push_str(&self.header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = self.signature(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }

    fn signature(&self, message: &[u8]) -> Result<Vec<u8>> {
        Ok(match &self.pair {
            PairKind::Ec(pair) => pair
                .sign(&self.rng, message)
                .map_err(Error::internal)?
                .as_ref()
                .to_vec(),
            PairKind::Ed(pair) => pair.sign(message).as_ref().to_vec(),
            PairKind::Rsa(pair) => {
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
                    .map_err(Error::internal)?;
                signature
            }
        })
    }

    /// The public key as a JWK (RFC 7517), with `kid`, `alg` and `use: sig`.
    pub fn public_jwk(&self) -> Value {
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let alg = self.algorithm.jose_name();
        match &self.pair {
            PairKind::Ec(pair) => {
                // An uncompressed point: 0x04, then x and y, 32 bytes each.
                let coordinates = pair.public_key().as_ref().get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y), "kid": self.kid, "alg": alg, "use": "sig"})
            }
            PairKind::Ed(pair) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()), "kid": self.kid, "alg": alg, "use": "sig"})
            }
            PairKind::Rsa(pair) => {
                let public = pair.public_key();
                json!({
                    "kty": "RSA",
                    "n": b64(public.modulus().big_endian_without_leading_zero()),
                    "e": b64(public.exponent().big_endian_without_leading_zero()),
                    "kid": self.kid, "alg": alg, "use": "sig"
                })
            }
        }
    }
}

/// The verification key of a published JWK.
pub fn verification_key(
    kid: &str,
    algorithm: SigningAlgorithm,
    jwk: &Value,
) -> Result<VerificationKey> {
    let parsed: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(jwk.clone()).map_err(Error::internal)?;
    Ok(VerificationKey {
        kid: kid.to_owned(),
        algorithm: jose_algorithm(algorithm),
        key: DecodingKey::from_jwk(&parsed).map_err(Error::internal)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::verify::{Expectations, SessionClaims, verify};

    fn claims() -> SessionClaims {
        SessionClaims {
            iss: "https://auth.example/i/ins_1".into(),
            sub: "user_1".into(),
            sid: "sess_1".into(),
            iat: 1_800_000_000,
            nbf: 1_800_000_000,
            exp: 1_800_000_060,
            azp: None,
            jti: Some("j".into()),
            v: Some(2),
            fva: None,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn every_algorithm_signs_what_jsonwebtoken_verifies_from_the_jwk() {
        for algorithm in [
            SigningAlgorithm::ES256,
            SigningAlgorithm::EdDSA,
            SigningAlgorithm::RS256,
        ] {
            let generated = generate("key_a", algorithm).unwrap();
            let signer = Signer::from_pkcs8("key_a", algorithm, &generated.private_pkcs8).unwrap();
            let token = signer.sign(&claims()).unwrap();
            let key = verification_key("key_a", algorithm, &generated.public_jwk).unwrap();
            let expect = Expectations {
                issuer: "https://auth.example/i/ins_1",
                leeway_seconds: 0,
                now: 1_800_000_010,
            };
            assert_eq!(
                verify(&token, &[key], expect).unwrap(),
                claims(),
                "{algorithm:?}"
            );
            // Another key of the same algorithm does not verify it.
            let other = generate("key_a", algorithm).unwrap();
            let other = verification_key("key_a", algorithm, &other.public_jwk).unwrap();
            assert!(verify(&token, &[other], expect).is_err(), "{algorithm:?}");
        }
    }

    #[test]
    fn the_header_names_the_key_and_algorithm() {
        let generated = generate("key_b", SigningAlgorithm::EdDSA).unwrap();
        let signer =
            Signer::from_pkcs8("key_b", SigningAlgorithm::EdDSA, &generated.private_pkcs8).unwrap();
        let token = signer.sign(&claims()).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("key_b"));
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(generated.public_jwk["kid"], "key_b");
        assert_eq!(generated.public_jwk["crv"], "Ed25519");
    }
}
