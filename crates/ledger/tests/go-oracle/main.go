// Command go-oracle answers Accord's interoperability tests with the Go reference code:
// golang.org/x/mod/sumdb/note (signed notes, Ed25519 keys) and golang.org/x/mod/sumdb/tlog
// (RFC 6962 trees, inclusion and consistency proofs, the go.sum tree note).
//
// It reads one JSON request per line on stdin and writes one JSON answer per line on stdout.
// It is built offline by the test (crates/ledger/tests/interop/go.rs) with Debian's
// golang-1.19-go and golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode /usr/lib/go-1.19/bin/go build -o go-oracle main.go
//
// x/mod's note package knows only Ed25519 (type 0x01) keys. The C2SP tlog-cosignature/v1
// verifier and signer (type 0x04) below are written here, from the spec, as note.Verifier
// and note.Signer implementations, so that note.Open and note.Sign handle their lines.
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type request struct {
	Op      string   `json:"op"`
	Name    string   `json:"name"`
	Skeys   []string `json:"skeys"`
	Vkeys   []string `json:"vkeys"`
	Text    string   `json:"text"`
	Note    string   `json:"note"`
	Time    uint64   `json:"time"`
	Leaves  [][]byte `json:"leaves"`
	Leaf    []byte   `json:"leaf"`
	Index   int64    `json:"index"`
	Size    int64    `json:"size"`
	Old     int64    `json:"old"`
	Root    []byte   `json:"root"`
	OldRoot []byte   `json:"old_root"`
	Proof   [][]byte `json:"proof"`
	Body    string   `json:"body"`
}

type response struct {
	Ok      bool     `json:"ok"`
	Error   string   `json:"error,omitempty"`
	Skey    string   `json:"skey,omitempty"`
	Vkey    string   `json:"vkey,omitempty"`
	Note    string   `json:"note,omitempty"`
	Text    string   `json:"text,omitempty"`
	Signers []string `json:"signers,omitempty"`
	Root    []byte   `json:"root,omitempty"`
	Proof   [][]byte `json:"proof,omitempty"`
	Size    int64    `json:"size"`
	Old     int64    `json:"old"`
}

// The tree loaded by the last "load" request.
var storedHashes []tlog.Hash
var treeSize int64

var reader = tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(storedHashes)) {
			return nil, errors.New("stored hash index out of range")
		}
		out[i] = storedHashes[x]
	}
	return out, nil
})

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req request
		var resp response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			resp.Error = "bad request: " + err.Error()
		} else if err := handle(&req, &resp); err != nil {
			resp.Ok = false
			resp.Error = err.Error()
		} else {
			resp.Ok = true
		}
		if err := out.Encode(&resp); err != nil {
			os.Exit(1)
		}
	}
}

func handle(req *request, resp *response) error {
	switch req.Op {
	case "keygen":
		skey, vkey, err := note.GenerateKey(rand.Reader, req.Name)
		resp.Skey, resp.Vkey = skey, vkey
		return err
	case "cosigner_keygen":
		return cosignerKeygen(req.Name, resp)
	case "sign":
		return sign(req, resp)
	case "open":
		return open(req, resp)
	case "load":
		return load(req.Leaves, resp)
	case "prove_inclusion":
		p, err := tlog.ProveRecord(req.Size, req.Index, reader)
		resp.Proof = hashes(p)
		return err
	case "check_inclusion":
		return tlog.CheckRecord(toHashes(req.Proof), req.Size, toHash(req.Root), req.Index, tlog.RecordHash(req.Leaf))
	case "root_at":
		h, err := tlog.TreeHash(req.Size, reader)
		resp.Root = h[:]
		return err
	case "prove_consistency":
		p, err := tlog.ProveTree(req.Size, req.Old, reader)
		resp.Proof = hashes(p)
		return err
	case "check_consistency":
		return tlog.CheckTree(toHashes(req.Proof), req.Size, toHash(req.Root), req.Old, toHash(req.OldRoot))
	case "format_tree":
		resp.Text = string(tlog.FormatTree(tlog.Tree{N: req.Size, Hash: toHash(req.Root)}))
		return nil
	case "parse_tree":
		t, err := tlog.ParseTree([]byte(req.Text))
		resp.Size, resp.Root = t.N, t.Hash[:]
		return err
	case "check_request":
		return checkRequest(req, resp)
	}
	return fmt.Errorf("unknown op %q", req.Op)
}

func load(leaves [][]byte, resp *response) error {
	storedHashes, treeSize = nil, 0
	for i, data := range leaves {
		hs, err := tlog.StoredHashes(int64(i), data, reader)
		if err != nil {
			return err
		}
		storedHashes = append(storedHashes, hs...)
		treeSize++
	}
	h, err := tlog.TreeHash(treeSize, reader)
	resp.Root, resp.Size = h[:], treeSize
	return err
}

func sign(req *request, resp *response) error {
	var signers []note.Signer
	for _, skey := range req.Skeys {
		if s, err := note.NewSigner(skey); err == nil {
			signers = append(signers, s)
			continue
		}
		c, err := parseCosigner(skey, true)
		if err != nil {
			return err
		}
		c.time = req.Time
		signers = append(signers, c)
	}
	msg, err := note.Sign(&note.Note{Text: req.Text}, signers...)
	resp.Note = string(msg)
	return err
}

func open(req *request, resp *response) error {
	var verifiers []note.Verifier
	for _, vkey := range req.Vkeys {
		if v, err := note.NewVerifier(vkey); err == nil {
			verifiers = append(verifiers, v)
			continue
		}
		c, err := parseCosigner(vkey, false)
		if err != nil {
			return err
		}
		verifiers = append(verifiers, c)
	}
	n, err := note.Open([]byte(req.Note), note.VerifierList(verifiers...))
	if err != nil {
		return err
	}
	resp.Text = n.Text
	for _, s := range n.Sigs {
		resp.Signers = append(resp.Signers, s.Name)
	}
	return nil
}

// checkRequest checks a C2SP tlog-witness add-checkpoint body as a witness would, with the
// reference code doing the cryptography: note.Open for the checkpoint's signature,
// tlog.CheckTree for the consistency proof from (old, old_root).
func checkRequest(req *request, resp *response) error {
	body := req.Body
	first, rest, ok := strings.Cut(body, "\n")
	if !ok || !strings.HasPrefix(first, "old ") {
		return errors.New("400: no old size line")
	}
	old, err := strconv.ParseInt(strings.TrimPrefix(first, "old "), 10, 64)
	if err != nil || old < 0 || strconv.FormatInt(old, 10) != strings.TrimPrefix(first, "old ") {
		return errors.New("400: bad old size")
	}
	var proof tlog.TreeProof
	for {
		line, after, ok := strings.Cut(rest, "\n")
		if !ok {
			return errors.New("400: no empty line")
		}
		rest = after
		if line == "" {
			break
		}
		h, err := tlog.ParseHash(line)
		if err != nil || len(proof) == 63 {
			return errors.New("400: bad proof line")
		}
		proof = append(proof, h)
	}
	req.Note = rest
	if err := open(req, resp); err != nil {
		return errors.New("403: " + err.Error())
	}
	lines := strings.Split(resp.Text, "\n")
	if len(lines) < 4 {
		return errors.New("400: not a checkpoint")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return errors.New("400: bad checkpoint size")
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return errors.New("400: bad checkpoint root")
	}
	resp.Size, resp.Old, resp.Root = size, old, root[:]
	switch {
	case old > size:
		return errors.New("400: old size above size")
	case old == 0 && len(proof) != 0:
		return errors.New("422: a proof from size 0")
	case old == 0:
		return nil
	case old == size && (len(proof) != 0 || !bytes.Equal(root[:], req.OldRoot)):
		return errors.New("409: same size, another root")
	case old == size:
		return nil
	}
	if err := tlog.CheckTree(proof, size, root, old, toHash(req.OldRoot)); err != nil {
		return errors.New("422: " + err.Error())
	}
	return nil
}

// A tlog-cosignature/v1 key: type 0x04, timestamped Ed25519 over
// "cosignature/v1\ntime T\n" || note text.
type cosigner struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	time uint64
}

const cosignatureType = 0x04

func cosignerKeyHash(name string, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{cosignatureType})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func cosignerKeygen(name string, resp *response) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	hash := cosignerKeyHash(name, pub)
	resp.Vkey = fmt.Sprintf("%s+%08x+%s", name, hash, base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, pub...)))
	resp.Skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, hash, base64.StdEncoding.EncodeToString(append([]byte{cosignatureType}, priv.Seed()...)))
	return nil
}

// parseCosigner reads "name+hash+base64(0x04 || key)", with "PRIVATE+KEY+" and a seed
// when private.
func parseCosigner(key string, private bool) (*cosigner, error) {
	if private {
		if !strings.HasPrefix(key, "PRIVATE+KEY+") {
			return nil, errors.New("not a private key")
		}
		key = strings.TrimPrefix(key, "PRIVATE+KEY+")
	}
	name, rest, _ := strings.Cut(key, "+")
	hashText, b64, _ := strings.Cut(rest, "+")
	hash, err1 := strconv.ParseUint(hashText, 16, 32)
	raw, err2 := base64.StdEncoding.DecodeString(b64)
	if err1 != nil || err2 != nil || len(raw) != 33 || raw[0] != cosignatureType {
		return nil, fmt.Errorf("not a cosigner key: %q", key)
	}
	c := &cosigner{name: name, hash: uint32(hash)}
	if private {
		c.priv = ed25519.NewKeyFromSeed(raw[1:])
		c.pub = c.priv.Public().(ed25519.PublicKey)
	} else {
		c.pub = ed25519.PublicKey(raw[1:])
	}
	if cosignerKeyHash(name, c.pub) != c.hash {
		return nil, errors.New("cosigner key hash mismatch")
	}
	return c, nil
}

func cosignedMessage(t uint64, msg []byte) []byte {
	return append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
}

func (c *cosigner) Name() string    { return c.name }
func (c *cosigner) KeyHash() uint32 { return c.hash }

func (c *cosigner) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t >= 1<<63 {
		return false
	}
	return ed25519.Verify(c.pub, cosignedMessage(t, msg), sig[8:])
}

func (c *cosigner) Sign(msg []byte) ([]byte, error) {
	out := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(out, c.time)
	return append(out, ed25519.Sign(c.priv, cosignedMessage(c.time, msg))...), nil
}

func hashes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}

func toHash(b []byte) tlog.Hash {
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func toHashes(bs [][]byte) []tlog.Hash {
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		out[i] = toHash(b)
	}
	return out
}
