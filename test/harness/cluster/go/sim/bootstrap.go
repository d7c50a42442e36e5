package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	kwokNodeAnnotation = "kwok.x-k8s.io/node"
	limitedNamespace   = "team-a"
	limitedUser        = "nimbusguard-limited"
	viewerUser         = "nimbusguard-viewer"
	metricsServerUser  = "system:metrics-server"
)

func restConfig(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

// cmdBootstrap creates the objects the cluster needs beyond what the
// control plane bootstraps on its own. Every step tolerates AlreadyExists.
func cmdBootstrap(args []string) error {
	fs := flag.NewFlagSet("bootstrap", flag.ExitOnError)
	kc := fs.String("kubeconfig", "", "admin kubeconfig")
	nodes := fs.Int("nodes", 2, "number of fake nodes")
	cpu := fs.String("node-cpu", "4", "allocatable cpu per node")
	mem := fs.String("node-memory", "8Gi", "allocatable memory per node")
	pods := fs.String("node-pods", "110", "pod limit per node")
	msPort := fs.Int("metrics-server-port", 0, "metrics-server secure port")
	kubeVersion := fs.String("kube-version", "", "version reported as the kubelet version")
	_ = fs.Parse(args)
	cfg, err := restConfig(*kc)
	if err != nil {
		return err
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	create := func(what string, err error) error {
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s: %w", what, err)
		}
		return nil
	}
	co := metav1.CreateOptions{FieldManager: "nimbus-sim"}

	// The namespace the limited user may use, with namespace-admin rights there only.
	if err := create("namespace team-a", ignoreObj(cs.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: limitedNamespace}}, co))); err != nil {
		return err
	}
	if err := create("rolebinding team-a", ignoreObj(cs.RbacV1().RoleBindings(limitedNamespace).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "nimbusguard-limited-admin"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "admin"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: limitedUser}},
	}, co))); err != nil {
		return err
	}

	if err := bootstrapViewer(ctx, cs, co, create); err != nil {
		return err
	}

	// metrics-server: its own identity, delegated authn/authz, and read access to pod metrics
	// aggregated into the built-in view/edit/admin roles.
	rules := []struct {
		name string
		obj  any
	}{
		{"clusterrole system:metrics-server", &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "system:metrics-server"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"nodes/metrics"}, Verbs: []string{"get"}},
				{APIGroups: []string{""}, Resources: []string{"pods", "nodes"}, Verbs: []string{"get", "list", "watch"}},
			},
		}},
		{"clusterrole system:aggregated-metrics-reader", &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: "system:aggregated-metrics-reader", Labels: map[string]string{
				"rbac.authorization.k8s.io/aggregate-to-view":  "true",
				"rbac.authorization.k8s.io/aggregate-to-edit":  "true",
				"rbac.authorization.k8s.io/aggregate-to-admin": "true",
			}},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"metrics.k8s.io"}, Resources: []string{"pods", "nodes"},
				Verbs: []string{"get", "list", "watch"}}},
		}},
		{"clusterrolebinding system:metrics-server", &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "system:metrics-server"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:metrics-server"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: metricsServerUser}},
		}},
		{"clusterrolebinding metrics-server:system:auth-delegator", &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics-server:system:auth-delegator"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "system:auth-delegator"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: metricsServerUser}},
		}},
		{"rolebinding kube-system/metrics-server-auth-reader", &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics-server-auth-reader", Namespace: "kube-system"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "extension-apiserver-authentication-reader"},
			Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: metricsServerUser}},
		}},
	}
	for _, r := range rules {
		var err error
		switch o := r.obj.(type) {
		case *rbacv1.ClusterRole:
			_, err = cs.RbacV1().ClusterRoles().Create(ctx, o, co)
		case *rbacv1.ClusterRoleBinding:
			_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, o, co)
		case *rbacv1.RoleBinding:
			_, err = cs.RbacV1().RoleBindings(o.Namespace).Create(ctx, o, co)
		}
		if err := create(r.name, err); err != nil {
			return err
		}
	}

	// The aggregator reaches metrics-server through an ExternalName service
	// pointing at the loopback address it listens on.
	if err := create("service kube-system/metrics-server", ignoreObj(cs.CoreV1().Services("kube-system").Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "metrics-server", Namespace: "kube-system",
			Labels: map[string]string{"k8s-app": "metrics-server"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "localhost"},
	}, co))); err != nil {
		return err
	}
	apiService := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1",
		"kind":       "APIService",
		"metadata":   map[string]any{"name": "v1beta1.metrics.k8s.io", "labels": map[string]any{"k8s-app": "metrics-server"}},
		"spec": map[string]any{
			"group":                 "metrics.k8s.io",
			"version":               "v1beta1",
			"groupPriorityMinimum":  int64(100),
			"versionPriority":       int64(100),
			"insecureSkipTLSVerify": true,
			"service":               map[string]any{"name": "metrics-server", "namespace": "kube-system", "port": int64(*msPort)},
		},
	}}
	gvr := schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
	if err := create("apiservice v1beta1.metrics.k8s.io", ignoreObj(dyn.Resource(gvr).Create(ctx, apiService, co))); err != nil {
		return err
	}

	// Fake nodes; kwok picks them up through the kwok.x-k8s.io/node annotation,
	// fills in conditions, addresses and the kubelet port, and heartbeats them.
	for i := 1; i <= *nodes; i++ {
		name := fmt.Sprintf("kwok-node-%d", i)
		alloc := corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse(*cpu),
			corev1.ResourceMemory:           resource.MustParse(*mem),
			corev1.ResourcePods:             resource.MustParse(*pods),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: name,
				Annotations: map[string]string{
					kwokNodeAnnotation:                      "fake",
					"node.alpha.kubernetes.io/ttl":          "0",
					"metrics.k8s.io/resource-metrics-path": "/metrics/nodes/" + name + "/metrics/resource",
				},
				Labels: map[string]string{
					"type":                          "kwok",
					"kubernetes.io/hostname":        name,
					"kubernetes.io/os":              "linux",
					"kubernetes.io/arch":            "amd64",
					"beta.kubernetes.io/os":         "linux",
					"beta.kubernetes.io/arch":       "amd64",
					"node-role.kubernetes.io/agent": "",
					"topology.kubernetes.io/zone":   fmt.Sprintf("zone-%c", 'a'+rune(i-1)%3),
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.244.%d.0/24", i), PodCIDRs: []string{fmt.Sprintf("10.244.%d.0/24", i)}},
			Status: corev1.NodeStatus{
				Allocatable: alloc,
				Capacity:    alloc,
				NodeInfo: corev1.NodeSystemInfo{
					Architecture:            "amd64",
					OperatingSystem:         "linux",
					OSImage:                 "NimbusGuard simulated node",
					KernelVersion:           "6.1.0-sim",
					ContainerRuntimeVersion: "containerd://1.7.24",
					KubeletVersion:          *kubeVersion,
					KubeProxyVersion:        *kubeVersion,
				},
			},
		}
		if err := create("node "+name, ignoreObj(cs.CoreV1().Nodes().Create(ctx, node, co))); err != nil {
			return err
		}
	}
	return nil
}

func ignoreObj[T any](_ T, err error) error { return err }

// bootstrapViewer lets the viewer user read everything and change nothing (the built-in view role).
func bootstrapViewer(ctx context.Context, cs kubernetes.Interface, co metav1.CreateOptions, create func(string, error) error) error {
	return create("clusterrolebinding nimbusguard-viewer", ignoreObj(cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "nimbusguard-viewer"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "User", Name: viewerUser}},
	}, co)))
}
