// Package deploy holds no code: it carries what vigie is deployed with (the
// container image's Containerfile and build script, compose, Kubernetes and
// systemd files, the Grafana provisioning and dashboards, the Prometheus
// configuration and alerts) and the tests that read them with the tools
// that deploy them and keep them true to the metrics vigie exports.
package deploy
