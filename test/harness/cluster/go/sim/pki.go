package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Identities of the processes and users of the simulated cluster. The
// control-plane users match the names the bootstrap RBAC policy grants.
var clientIdentities = []struct {
	file, cn string
	orgs     []string
}{
	{"admin", "nimbusguard-admin", []string{"system:masters"}},
	{"limited", "nimbusguard-limited", []string{"nimbusguard:limited"}},
	{"viewer", "nimbusguard-viewer", []string{"nimbusguard:viewer"}},
	{"controller-manager", "system:kube-controller-manager", nil},
	{"scheduler", "system:kube-scheduler", nil},
	{"kwok", "system:kwok-controller", []string{"system:masters"}},
	{"nimbus-sim", "system:nimbus-sim", []string{"system:masters"}},
	{"metrics-server", "system:metrics-server", nil},
	{"apiserver-kubelet-client", "kube-apiserver-kubelet-client", []string{"system:masters"}},
}

type keyPair struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// cmdPKI writes every certificate, key and kubeconfig the cluster needs into
// --state (pki/, kubeconfigs/ and the user-facing kubeconfig).
func cmdPKI(args []string) error {
	fs := flag.NewFlagSet("pki", flag.ExitOnError)
	state := fs.String("state", "", "state directory (.cluster)")
	apiPort := fs.Int("api-port", 0, "kube-apiserver secure port")
	_ = fs.Parse(args)
	if *state == "" || *apiPort == 0 {
		return fmt.Errorf("--state and --api-port are required")
	}
	pki := filepath.Join(*state, "pki")
	kcs := filepath.Join(*state, "kubeconfigs")
	for _, d := range []string{pki, kcs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}

	ca, err := newCA("nimbusguard-ca")
	if err != nil {
		return err
	}
	if err := writePair(pki, "ca", ca); err != nil {
		return err
	}
	fpCA, err := newCA("nimbusguard-front-proxy-ca")
	if err != nil {
		return err
	}
	if err := writePair(pki, "front-proxy-ca", fpCA); err != nil {
		return err
	}
	fpClient, err := newLeaf(fpCA, "front-proxy-client", nil, false, nil, nil)
	if err != nil {
		return err
	}
	if err := writePair(pki, "front-proxy-client", fpClient); err != nil {
		return err
	}

	loopIPs := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.96.0.1")}
	apiDNS := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local"}
	apiserver, err := newLeaf(ca, "kube-apiserver", nil, true, apiDNS, loopIPs)
	if err != nil {
		return err
	}
	if err := writePair(pki, "apiserver", apiserver); err != nil {
		return err
	}
	// Serving certificate for the simulated kubelets (kwok) and other local servers.
	serving, err := newLeaf(ca, "kwok-kubelet", nil, true, []string{"localhost"}, loopIPs[:2])
	if err != nil {
		return err
	}
	if err := writePair(pki, "serving", serving); err != nil {
		return err
	}

	// Service-account token signing key.
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	if err := writeKey(filepath.Join(pki, "sa.key"), saKey); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(pki, "sa.pub"),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
		return err
	}

	server := fmt.Sprintf("https://127.0.0.1:%d", *apiPort)
	caPEM := certPEM(ca.cert)
	users := map[string]keyPair{}
	for _, id := range clientIdentities {
		kp, err := newLeaf(ca, id.cn, id.orgs, false, nil, nil)
		if err != nil {
			return err
		}
		if err := writePair(pki, id.file, kp); err != nil {
			return err
		}
		users[id.file] = kp
		if id.file == "admin" || id.file == "limited" || id.file == "viewer" {
			continue
		}
		cfg := kubeconfig(server, caPEM, []ctxSpec{{"default", id.file, kp, ""}})
		if err := clientcmd.WriteToFile(*cfg, filepath.Join(kcs, id.file+".kubeconfig")); err != nil {
			return err
		}
	}
	user := kubeconfig(server, caPEM, []ctxSpec{
		{"nimbusguard-admin", "nimbusguard-admin", users["admin"], "default"},
		{"nimbusguard-limited", "nimbusguard-limited", users["limited"], "team-a"},
		// Read-only everywhere (the built-in view role): verdicts name the permission it lacks.
		{"nimbusguard-viewer", "nimbusguard-viewer", users["viewer"], "default"},
		// The admin user under a name that matches the default protected-context pattern (*prod*).
		{"nimbusguard-prod", "nimbusguard-admin", users["admin"], "default"},
	})
	return clientcmd.WriteToFile(*user, filepath.Join(*state, "kubeconfig"))
}

type ctxSpec struct {
	name, user string
	kp         keyPair
	namespace  string
}

func kubeconfig(server string, caPEM []byte, ctxs []ctxSpec) *clientcmdapi.Config {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["nimbusguard"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	for _, c := range ctxs {
		keyDER, _ := x509.MarshalECPrivateKey(c.kp.key.(*ecdsa.PrivateKey))
		cfg.AuthInfos[c.user] = &clientcmdapi.AuthInfo{
			ClientCertificateData: certPEM(c.kp.cert),
			ClientKeyData:         pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		}
		cfg.Contexts[c.name] = &clientcmdapi.Context{Cluster: "nimbusguard", AuthInfo: c.user, Namespace: c.namespace}
	}
	cfg.CurrentContext = ctxs[0].name
	return cfg
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

func newCA(cn string) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert, key}, err
}

func newLeaf(ca keyPair, cn string, orgs []string, server bool, dns []string, ips []net.IP) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	now := time.Now()
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  usage,
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert, key}, err
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func writeKey(path string, key crypto.Signer) error {
	der, err := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

func writePair(dir, name string, kp keyPair) error {
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), certPEM(kp.cert), 0o644); err != nil {
		return err
	}
	return writeKey(filepath.Join(dir, name+".key"), kp.key)
}
