# Independent reference of docs/auth.md §1-§2 (the fresh authorization, SEC-32; not shipped).
# Pure Python 3.8+, no packages: its own Keccak-256, secp256k1 arithmetic and RFC 6979 nonce, so the test vectors
# it prints do not come from the Java implementation they check (AuthorizationVectorsTest, RefreshAuthorizationVectorTest).
# Run: python3 docs/auth-vector.py
import hashlib, hmac

# --- Keccak-256 (the original Keccak padding 0x01, not SHA3's 0x06) ---
RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
      0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
      0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
      0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
      0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
M64 = (1 << 64) - 1
def rol(v, n): return ((v << n) | (v >> (64 - n))) & M64 if n else v
def keccak_f(a):  # a[x][y]
    for rc in RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rol(a[x][y], ROT[x][y])
        a = [[b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a
def keccak256(data):
    rate = 136
    msg = bytearray(data) + b'\x01' + b'\x00' * ((-len(data) - 1) % rate)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(msg[off + 8 * i:off + 8 * i + 8], 'little')
        a = keccak_f(a)
    return b''.join(a[i % 5][i // 5].to_bytes(8, 'little') for i in range(4))
assert keccak256(b'').hex() == 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
assert keccak256(b'abc').hex() == '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45'

# --- secp256k1 ---
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
def enc(pt): return pt[0].to_bytes(32, 'big') + pt[1].to_bytes(32, 'big')  # 64-byte public key / node id
def address(pt): return keccak256(enc(pt))[12:]

def rfc6979_k(d, h):  # RFC 6979 §3.2 with HMAC-SHA-256; h is the raw 32-byte message (signed as-is)
    x = d.to_bytes(32, 'big'); m = (int.from_bytes(h, 'big') % N).to_bytes(32, 'big')
    V = b'\x01' * 32; K = b'\x00' * 32
    K = hmac.new(K, V + b'\x00' + x + m, hashlib.sha256).digest(); V = hmac.new(K, V, hashlib.sha256).digest()
    K = hmac.new(K, V + b'\x01' + x + m, hashlib.sha256).digest(); V = hmac.new(K, V, hashlib.sha256).digest()
    while True:
        V = hmac.new(K, V, hashlib.sha256).digest()
        k = int.from_bytes(V, 'big')
        if 1 <= k < N: yield k
        K = hmac.new(K, V + b'\x00', hashlib.sha256).digest(); V = hmac.new(K, V, hashlib.sha256).digest()

def sign(d, h):  # raw recoverable ECDSA, low-s, r ‖ s ‖ v with v in 0..3 (crypto.md §4)
    e = int.from_bytes(h, 'big') % N
    for k in rfc6979_k(d, h):
        R = mul(k, G); r = R[0] % N
        if r == 0: continue
        s = pow(k, -1, N) * (e + r * d) % N
        if s == 0: continue
        v = (R[1] & 1) | (2 if R[0] >= N else 0)
        if s > N // 2: s = N - s; v ^= 1
        return r.to_bytes(32, 'big') + s.to_bytes(32, 'big') + bytes([v])

def recover(sig, h):  # for the self-check only
    r, s, v = int.from_bytes(sig[:32], 'big'), int.from_bytes(sig[32:64], 'big'), sig[64]
    x = r + (N if v & 2 else 0); y = pow((x ** 3 + 7) % P, (P + 1) // 4, P)
    if y & 1 != v & 1: y = P - y
    e = int.from_bytes(h, 'big') % N; ri = pow(r, -1, N)
    return add(mul(s * ri % N, (x, y)), mul((N - e) * ri % N, G))

# --- the format (docs/auth.md §1-§3) ---
def tag(t): return t.encode('ascii') + b'\x00'
def cluster_of_name(name): return keccak256(tag('secretstore/v1/cluster-name') + name.encode('utf-8'))
def cluster_of_members(ids): return keccak256(tag('secretstore/v1/cluster-members') + b''.join(sorted(set(ids))))
def node_set_hash(ids): return keccak256(b''.join(sorted(set(ids))))
def threshold_params(t): return t.to_bytes(32, 'big')
def store_params(c, e): return keccak256(enc(c) + enc(e))
def servers_set_params(old, new): return keccak256(node_set_hash(old) + node_set_hash(new))
def refresh_params(key_ids):
    ids = sorted(set(key_ids))
    return keccak256(b'secretstore/v1/admin/share-refresh' + len(ids).to_bytes(4, 'big') + b''.join(ids))
def signed_hash(cluster, op, key_id, params, expires, nonce):
    return keccak256(tag('secretstore/v1/request-authorization') + cluster + bytes([op]) + key_id + params
                     + expires.to_bytes(8, 'big') + nonce)
def header(expires, nonce, signer, sig):
    return 'v1 expires=%d nonce=%s signer=0x%s signature=%s' % (expires, nonce.hex(), signer.hex(), sig.hex())
def binary(expires, nonce, signer, sig): return b'\x01' + expires.to_bytes(8, 'big') + nonce + signer + sig

# --- the fixed inputs ---
d = int.from_bytes(keccak256(b'requester'), 'big')
Q = mul(d, G); signer = address(Q)
NAME = 'example'
cluster = cluster_of_name(NAME)
nodes = [enc(mul(i, G)) for i in (1, 2, 3, 4)]
key_id = keccak256(b'key')
zero = bytes(32)
C, E = mul(7, G), mul(11, G)
message = keccak256(b'message')
expires = 1767225600
nonce = bytes(range(16))
refresh_keys = [keccak256(b'key'), keccak256(b'other key')]

print('requester secret  0x' + d.to_bytes(32, 'big').hex())
print('requester public  0x' + enc(Q).hex())
print('signer            0x' + signer.hex())
print('cluster name      ' + NAME)
print('cluster id        0x' + cluster.hex())
print('members id (1G,2G,3G) 0x' + cluster_of_members(nodes[:3]).hex())
print('expires           %d' % expires)
print('nonce             ' + nonce.hex())
print()
cases = [
    ('1 generate server key, threshold 1', 1, key_id, threshold_params(1)),
    ('2 store document key, C = 7G, E = 11G', 2, key_id, store_params(C, E)),
    ('6 shadow retrieval', 6, key_id, zero),
    ('7 Schnorr signing, message hash keccak256("message")', 7, key_id, message),
    ('9 servers-set change {1G,2G,3G} -> {1G,2G,3G,4G}', 9, zero, servers_set_params(nodes[:3], nodes)),
    ('10 share refresh of keccak256("key"), keccak256("other key")', 10, zero, refresh_params(refresh_keys)),
]
for title, op, kid, params in cases:
    h = signed_hash(cluster, op, kid, params, expires, nonce)
    sig = sign(d, h)
    assert recover(sig, h) == Q
    print('## operation ' + title)
    print('key id       0x' + kid.hex())
    print('params       0x' + params.hex())
    print('signed hash  0x' + h.hex())
    print('signature    ' + sig.hex())
    print('header       Secretstore-Authorization: ' + header(expires, nonce, signer, sig))
    print('binary       ' + binary(expires, nonce, signer, sig).hex())
    print()
