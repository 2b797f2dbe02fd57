package servers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// jwtHeaderHS256 is the encoded header {"alg":"HS256","typ":"JWT"}.
const jwtHeaderHS256 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// signHS256 returns a JWT (RFC 7519) with the given claims, signed with HMAC-SHA256.
func signHS256(secret []byte, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encoding JWT claims: %w", err)
	}
	return signHS256Payload(secret, payload), nil
}

// signHS256Payload signs claims already encoded as JSON.
func signHS256Payload(secret, payload []byte) string {
	enc := base64.RawURLEncoding
	signingInput := jwtHeaderHS256 + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}
