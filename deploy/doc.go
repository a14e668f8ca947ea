// Package deploy holds no code: it carries the Grafana provisioning and
// dashboards and the Prometheus configuration and alerts shipped with vigie,
// and the tests that keep them true to the metrics vigie exports.
package deploy
