# Independent reference of docs/transport.md (not shipped): Noise_IK_secp256k1_AESGCM_SHA256.
import hashlib, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)
def add(a, b):
    if a is None: return b
    if b is None: return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0: return None
    if a == b: l = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) % P
    else: l = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (l * l - a[0] - b[0]) % P
    return (x, (l * (a[0] - x) - a[1]) % P)
def mul(k, pt):
    r = None
    while k:
        if k & 1: r = add(r, pt)
        pt = add(pt, pt); k >>= 1
    return r
def enc(pt): return pt[0].to_bytes(32, 'big') + pt[1].to_bytes(32, 'big')
def dh(k, pt): return mul(k, pt)[0].to_bytes(32, 'big')
def sha(b): return hashlib.sha256(b).digest()
def hm(k, d): return hmac.new(k, d, hashlib.sha256).digest()
def hkdf(ck, ikm):
    t = hm(ck, ikm); o1 = hm(t, b'\x01'); o2 = hm(t, o1 + b'\x02'); return o1, o2
class SS:
    def __init__(s):
        name = b"Noise_IK_secp256k1_AESGCM_SHA256"; assert len(name) == 32
        s.h = name; s.ck = name; s.k = None; s.n = 0
    def mh(s, d): s.h = sha(s.h + d)
    def mk(s, ikm): s.ck, s.k = hkdf(s.ck, ikm); s.n = 0
    def eah(s, pt):
        c = AESGCM(s.k).encrypt(b'\0' * 4 + s.n.to_bytes(8, 'big'), pt, s.h); s.n += 1; s.mh(c); return c
def kp(byte): d = int.from_bytes(bytes([byte]) * 32, 'big'); return d, mul(d, G)
si, Si = kp(0x11); sr, Sr = kp(0x22); ei, Ei = kp(0x33); er, Er = kp(0x44)
prologue = b"secretstore/v1/transport"
st = SS(); st.mh(prologue); st.mh(enc(Sr))
st.mh(enc(Ei)); st.mk(dh(ei, Sr)); c_s = st.eah(enc(Si)); st.mk(dh(si, Sr)); c_p = st.eah(b'')
m1 = enc(Ei) + c_s + c_p
st.mh(enc(Er)); st.mk(dh(er, Ei)); st.mk(dh(er, Si)); c_p2 = st.eah(b'')
m2 = enc(Er) + c_p2
k1, k2 = hkdf(st.ck, b'')
def tm(k, n, pt): return AESGCM(k).encrypt(b'\0' * 4 + n.to_bytes(8, 'big'), pt, b'')
print("m1", m1.hex()); print("m2", m2.hex()); print("h", st.h.hex())
print("i2r_keepalive_n0", tm(k1, 0, b'\x00').hex())
print("r2i_hello_n0", tm(k2, 0, b'\x01' + (5).to_bytes(4, 'big') + b'hello').hex())
