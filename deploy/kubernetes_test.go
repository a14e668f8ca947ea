package deploy_test

import (
	"net"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/eiglink/vigie/config"
)

// build runs kustomize on dir, as `kubectl apply -k dir` would, and decodes
// every object strictly (an unknown or misplaced field is an error) into
// the Kubernetes API's types, the ServiceMonitor into the Prometheus
// Operator's.
func build(t *testing.T, dir string) []runtime.Object {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	dec := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	var objs []runtime.Object
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		obj, gvk, err := dec.Decode(y, nil, nil)
		if err != nil {
			t.Errorf("%s %s: %v", r.GetKind(), r.GetName(), err)
			continue
		}
		t.Logf("%s: %s %s", dir, gvk.Kind, r.GetName())
		objs = append(objs, obj)
	}
	return objs
}

type manifests struct {
	deploy  *appsv1.Deployment
	svc     *corev1.Service
	cm      *corev1.ConfigMap
	pdb     *policyv1.PodDisruptionBudget
	monitor *monitoringv1.ServiceMonitor
}

func sortOut(t *testing.T, objs []runtime.Object) manifests {
	t.Helper()
	var m manifests
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			m.deploy = o
		case *corev1.Service:
			m.svc = o
		case *corev1.ConfigMap:
			m.cm = o
		case *policyv1.PodDisruptionBudget:
			m.pdb = o
		case *monitoringv1.ServiceMonitor:
			m.monitor = o
		default:
			t.Errorf("unexpected object %T", o)
		}
	}
	if m.deploy == nil || m.svc == nil || m.cm == nil || m.pdb == nil {
		t.Fatalf("the base should hold a Deployment, a Service, a ConfigMap and a PodDisruptionBudget: %+v", m)
	}
	return m
}

func TestKubernetesBase(t *testing.T) {
	m := sortOut(t, build(t, "kubernetes/base"))
	if m.monitor != nil {
		t.Error("the base should not need the Prometheus Operator")
	}
	d := m.deploy
	pod := d.Spec.Template.Spec
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas = %v, want 2", d.Spec.Replicas)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(podLabels) {
		t.Errorf("the Deployment's selector does not match its pods: %v", err)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]

	// Probes on the routes vigie serves, on the port it declares.
	for name, p := range map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != name || p.HTTPGet.Port.StrVal != "http" {
			t.Errorf("probe %s: %+v", name, p)
		}
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" {
		t.Fatalf("container ports %+v", c.Ports)
	}

	// Not root, nothing writable but the data volume, no capability.
	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod security context %+v should run as a non-root user", psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container security context %+v should be read-only, without privilege escalation or capability", sc)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("no %s request", r)
		}
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Error("no memory limit")
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm
		if !vm.ReadOnly && volumes[vm.Name].EmptyDir == nil {
			t.Errorf("%s is writable and not the data directory", vm.MountPath)
		}
	}
	if vm, ok := mounts["/var/lib/vigie"]; !ok || vm.ReadOnly {
		t.Error("the data directory /var/lib/vigie is not mounted writable")
	}

	// The configuration the command names is the ConfigMap's.
	i := slices.Index(c.Args, "--config")
	if i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("args %q name no --config", c.Args)
	}
	cfgPath := c.Args[i+1]
	vm, ok := mounts[path.Dir(cfgPath)]
	if !ok || volumes[vm.Name].ConfigMap == nil || volumes[vm.Name].ConfigMap.Name != m.cm.Name {
		t.Fatalf("%s is not in the ConfigMap %s (volumes %+v)", cfgPath, m.cm.Name, volumes)
	}
	data, ok := m.cm.Data[path.Base(cfgPath)]
	if !ok {
		t.Fatalf("the ConfigMap has no key %s", path.Base(cfgPath))
	}

	// Each variable the configuration names comes from the Secret.
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("%s is not read from a Secret", e.Name)
			continue
		}
		env[e.Name] = "secret " + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
	}
	cfg, err := config.Parse("ConfigMap "+m.cm.Name, []byte(data), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Forges {
		if len(f.Tokens) != len(f.TokenEnvs) {
			t.Errorf("forge %s: %v are not all set from the Secret", f.Name, f.TokenEnvs)
		}
	}
	if cfg.SMTP.Username == "" || cfg.SMTP.Password == "" {
		t.Errorf("SMTP credentials %s, %s are not set from the Secret", cfg.SMTP.UsernameEnv, cfg.SMTP.PasswordEnv)
	}
	// Two replicas share PostgreSQL; its password comes from the Secret.
	if cfg.Storage.Driver != "postgres" || env["PGPASSWORD"] == "" {
		t.Errorf("storage %s with PGPASSWORD %q: replicas need PostgreSQL and its password from the Secret", cfg.Storage.Driver, env["PGPASSWORD"])
	}
	if dsnHasPassword(cfg.Storage.DSN) {
		t.Error("storage.dsn holds a password: a ConfigMap is no secret")
	}
	_, port, _ := net.SplitHostPort(cfg.HTTP.Listen)
	if strconv.Itoa(int(c.Ports[0].ContainerPort)) != port {
		t.Errorf("the container port %d is not the one vigie listens on (%s)", c.Ports[0].ContainerPort, cfg.HTTP.Listen)
	}

	// The Service and the PodDisruptionBudget select these pods.
	if !labels.SelectorFromSet(m.svc.Spec.Selector).Matches(podLabels) || len(m.svc.Spec.Ports) != 1 || m.svc.Spec.Ports[0].TargetPort.StrVal != "http" {
		t.Errorf("the Service does not reach the pods' http port: %+v", m.svc.Spec)
	}
	pdbSel, err := metav1.LabelSelectorAsSelector(m.pdb.Spec.Selector)
	if err != nil || !pdbSel.Matches(podLabels) || m.pdb.Spec.MinAvailable == nil || m.pdb.Spec.MinAvailable.IntVal < 1 {
		t.Errorf("the PodDisruptionBudget should keep at least one of these pods: %+v", m.pdb.Spec)
	}
}

func TestKubernetesServiceMonitor(t *testing.T) {
	m := sortOut(t, build(t, "kubernetes/overlays/prometheus-operator"))
	if m.monitor == nil {
		t.Fatal("the overlay holds no ServiceMonitor")
	}
	sel, err := metav1.LabelSelectorAsSelector(&m.monitor.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(m.svc.Labels)) {
		t.Errorf("the ServiceMonitor's selector does not select the Service (labels %v): %v", m.svc.Labels, err)
	}
	if len(m.monitor.Spec.Endpoints) != 1 {
		t.Fatalf("endpoints %+v", m.monitor.Spec.Endpoints)
	}
	ep := m.monitor.Spec.Endpoints[0]
	if ep.Port != m.svc.Spec.Ports[0].Name || ep.Path != "/metrics" {
		t.Errorf("the ServiceMonitor scrapes port %q path %q, want %q /metrics", ep.Port, ep.Path, m.svc.Spec.Ports[0].Name)
	}
	if !strings.HasSuffix(string(ep.Interval), "m") {
		t.Errorf("scrape interval %q: vigie's figures change at each crawl, a minute is plenty", ep.Interval)
	}
}
