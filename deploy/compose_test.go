package deploy_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/eiglink/vigie/config"
)

// loadCompose loads compose.yaml with compose-spec's own loader (the one
// docker compose uses), with the variables a deployer exports.
func loadCompose(t *testing.T, env map[string]string) *types.Project {
	t.Helper()
	var vars []string
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"}, cli.WithWorkingDirectory("."), cli.WithEnv(vars))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return p
}

// secretEnv is what a deployer exports before `docker compose up`: every
// variable a secret of compose.yaml is read from, with a recognisable value.
var secretEnv = map[string]string{
	"GITHUB_TOKEN": "ghp-from-compose", "GITLAB_TOKEN": "glpat-from-compose",
	"SMTP_USERNAME": "smtp-user", "SMTP_PASSWORD": "smtp-pass",
	"POSTGRES_PASSWORD": "pg-pass", "GRAFANA_ADMIN_PASSWORD": "grafana-pass",
}

func TestComposeMountsExist(t *testing.T) {
	p := loadCompose(t, secretEnv)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vigie", "postgres", "prometheus", "grafana"} {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("compose.yaml has no %s service", name)
		}
	}
	inRepo := func(what, file string) {
		t.Helper()
		if !filepath.IsAbs(file) {
			file = filepath.Join(p.WorkingDir, file)
		}
		if rel, err := filepath.Rel(root, file); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s: %s is outside the repository", what, file)
			return
		}
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	n := 0
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				n++
				inRepo(s.Name+" volume "+v.Target, v.Source)
			}
		}
		for _, f := range s.EnvFiles {
			n++
			inRepo(s.Name+" env_file", f.Path)
		}
		for _, c := range s.Configs {
			def, ok := p.Configs[c.Source]
			if !ok {
				t.Errorf("%s: config %s is not declared", s.Name, c.Source)
				continue
			}
			if def.File != "" {
				n++
				inRepo(s.Name+" config "+c.Source, def.File)
			}
		}
		for _, sec := range s.Secrets {
			def, ok := p.Secrets[sec.Source]
			switch {
			case !ok:
				t.Errorf("%s: secret %s is not declared", s.Name, sec.Source)
			case def.File != "":
				// A secret's file is the deployer's, never the repository's.
				t.Errorf("%s: secret %s is read from the file %s: take it from the environment", s.Name, sec.Source, def.File)
			case def.Environment == "":
				t.Errorf("%s: secret %s has no source", s.Name, sec.Source)
			}
		}
	}
	if n < 6 {
		t.Errorf("found %d mounted files, expected vigie's configuration, Prometheus's two files and Grafana's three", n)
	}
}

// secretTarget is where compose puts a service's secret.
func secretTarget(s types.ServiceSecretConfig) string {
	if s.Target == "" {
		return "/run/secrets/" + s.Source
	}
	if !path.IsAbs(s.Target) {
		return "/run/secrets/" + s.Target
	}
	return s.Target
}

func TestComposeVigie(t *testing.T) {
	p := loadCompose(t, secretEnv)
	vigie := p.Services["vigie"]

	// The configuration the command names is the one mounted.
	i := slices.Index(vigie.Command, "--config")
	if i < 0 || i+1 >= len(vigie.Command) {
		t.Fatalf("vigie's command %q names no --config", vigie.Command)
	}
	var cfgFile string
	for _, c := range vigie.Configs {
		if c.Target == vigie.Command[i+1] {
			cfgFile = p.Configs[c.Source].File
		}
	}
	if cfgFile == "" {
		t.Fatalf("nothing is mounted at %s", vigie.Command[i+1])
	}

	// Follow each secret as compose hands it over: the exported variable
	// becomes a file in the container, whose path the container's
	// environment gives as NAME_FILE. Files here stand for those.
	dir := t.TempDir()
	files := map[string]string{} // container path → file here
	for _, sec := range vigie.Secrets {
		local := filepath.Join(dir, sec.Source)
		if err := os.WriteFile(local, []byte(secretEnv[p.Secrets[sec.Source].Environment]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		files[secretTarget(sec)] = local
	}
	env := map[string]string{}
	for k, v := range vigie.Environment {
		if v == nil {
			continue
		}
		if strings.HasSuffix(k, "_FILE") {
			local, ok := files[*v]
			if !ok {
				t.Errorf("vigie's %s=%s is no secret of the service", k, *v)
			}
			env[k] = local
			continue
		}
		env[k] = *v
	}
	for k := range env {
		if !strings.HasSuffix(k, "_FILE") {
			t.Errorf("vigie's environment holds %s in clear: hand it over as a secret (NAME_FILE)", k)
		}
	}
	cfg, err := config.Load(cfgFile, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for forge, want := range map[string]string{"github": "ghp-from-compose", "gitlab": "glpat-from-compose"} {
		f := cfg.ForgeByName(forge)
		if f == nil || len(f.Tokens) != 1 || f.Tokens[0] != want {
			t.Errorf("the %s forge does not get GITHUB_TOKEN/GITLAB_TOKEN's value through its secret: %+v", forge, f)
		}
	}
	if cfg.SMTP.Username != "smtp-user" || cfg.SMTP.Password != "smtp-pass" {
		t.Errorf("SMTP credentials through secrets = %q, %q", cfg.SMTP.Username, cfg.SMTP.Password)
	}

	// Locked down: not root, read-only root file system, no capability.
	if vigie.User == "" || strings.HasPrefix(vigie.User, "0") || vigie.User == "root" {
		t.Errorf("vigie runs as %q", vigie.User)
	}
	if !vigie.ReadOnly || !slices.Contains(vigie.CapDrop, "ALL") {
		t.Errorf("vigie: read_only=%v cap_drop=%v", vigie.ReadOnly, vigie.CapDrop)
	}
	mounts := map[string]types.ServiceVolumeConfig{}
	for _, v := range vigie.Volumes {
		mounts[v.Target] = v
	}
	if v, ok := mounts["/var/lib/vigie"]; !ok || v.Type != types.VolumeTypeVolume {
		t.Error("vigie's data directory /var/lib/vigie is not a volume")
	}

	// PostgreSQL through the socket directory both services mount.
	if cfg.Storage.Driver != "postgres" || !strings.Contains(cfg.Storage.DSN, "host=/var/run/postgresql") {
		t.Fatalf("storage = %+v, want postgres over /var/run/postgresql", cfg.Storage)
	}
	if dsnHasPassword(cfg.Storage.DSN) {
		t.Error("storage.dsn holds a password: the configuration is no secret")
	}
	sock := mounts["/var/run/postgresql"]
	shared := false
	for _, v := range p.Services["postgres"].Volumes {
		shared = shared || (v.Target == "/var/run/postgresql" && v.Source == sock.Source && v.Type == types.VolumeTypeVolume)
	}
	if !shared {
		t.Error("vigie and postgres do not share the volume of /var/run/postgresql")
	}
	if dep, ok := vigie.DependsOn["postgres"]; !ok || dep.Condition != types.ServiceConditionHealthy || p.Services["postgres"].HealthCheck == nil {
		t.Error("vigie should wait for postgres to be healthy")
	}

	// The published port is the one vigie listens on.
	_, port, _ := net.SplitHostPort(cfg.HTTP.Listen)
	if len(vigie.Ports) != 1 || strconv.Itoa(int(vigie.Ports[0].Target)) != port || vigie.Ports[0].HostIP != "127.0.0.1" {
		t.Errorf("vigie's ports %+v, want the loopback's to %s", vigie.Ports, port)
	}

	// Prometheus scrapes vigie by its service name and port.
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	promSvc := p.Services["prometheus"]
	readMounted(t, p, promSvc, "/etc/prometheus/prometheus.yml", &prom)
	if len(prom.ScrapeConfigs) != 1 || len(prom.ScrapeConfigs[0].StaticConfigs) != 1 ||
		!slices.Equal(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, []string{"vigie:" + port}) {
		t.Errorf("Prometheus scrapes %+v, want vigie:%s", prom.ScrapeConfigs, port)
	}
	for _, r := range prom.RuleFiles {
		var rules ruleFile
		readMounted(t, p, promSvc, path.Join("/etc/prometheus", r), &rules)
		if len(rules.Groups) == 0 {
			t.Errorf("the rule file %s mounted for Prometheus has no group", r)
		}
	}

	// Grafana's data source is that Prometheus, its dashboards the mounted folder.
	graf := p.Services["grafana"]
	var ds struct {
		Datasources []struct {
			UID string `yaml:"uid"`
			URL string `yaml:"url"`
		} `yaml:"datasources"`
	}
	readMounted(t, p, graf, "/etc/grafana/provisioning/datasources/vigie.yaml", &ds)
	if len(ds.Datasources) != 1 || ds.Datasources[0].UID != "vigie-prometheus" {
		t.Fatalf("Grafana's data sources: %+v", ds.Datasources)
	}
	u, err := url.Parse(ds.Datasources[0].URL)
	if err != nil || u.Host != "prometheus:9090" || len(promSvc.Ports) != 1 || promSvc.Ports[0].Target != 9090 {
		t.Errorf("Grafana's data source %s is not the prometheus service", ds.Datasources[0].URL)
	}
	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readMounted(t, p, graf, "/etc/grafana/provisioning/dashboards/vigie.yaml", &prov)
	found := false
	for _, v := range graf.Volumes {
		if len(prov.Providers) == 1 && v.Target == prov.Providers[0].Options.Path {
			found = true
			if files, _ := filepath.Glob(filepath.Join(v.Source, "*.json")); len(files) < 3 {
				t.Errorf("%s mounted at %s holds %d dashboards", v.Source, v.Target, len(files))
			}
		}
	}
	if !found {
		t.Errorf("nothing is mounted where Grafana looks for the dashboards (%+v)", prov.Providers)
	}
}

// readMounted decodes the repository's file that compose mounts at target
// in service s.
func readMounted(t *testing.T, p *types.Project, s types.ServiceConfig, target string, v any) {
	t.Helper()
	var file string
	for _, c := range s.Configs {
		if c.Target == target {
			file = p.Configs[c.Source].File
		}
	}
	for _, m := range s.Volumes {
		if m.Target == target && m.Type == types.VolumeTypeBind {
			file = m.Source
		}
	}
	if file == "" {
		t.Fatalf("%s: nothing is mounted at %s", s.Name, target)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// dsnHasPassword tells whether a PostgreSQL connection string, URL or
// keywords, carries a password.
func dsnHasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		_, set := u.User.Password()
		return set || u.Query().Has("password")
	}
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(f, "password=") {
			return true
		}
	}
	return false
}

func TestDSNHasPassword(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://vigie@postgres:5432/vigie?sslmode=prefer": false,
		"postgres://vigie:secret@postgres:5432/vigie":         true,
		"postgresql://vigie@postgres/vigie?password=secret":   true,
		"host=/var/run/postgresql user=vigie dbname=vigie":    false,
		"host=db user=vigie password=secret dbname=vigie":     true,
	} {
		if got := dsnHasPassword(dsn); got != want {
			t.Errorf("dsnHasPassword(%q) = %v, want %v", dsn, got, want)
		}
	}
}
