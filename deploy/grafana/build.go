package grafana

//lint:file-ignore SA1019 the SDK marks the classic dashboard schema deprecated in favour of dashboardv2, the schema of Grafana 12's dynamic dashboards behind a feature toggle; file provisioning in every current Grafana reads the classic JSON this package writes

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// datasource is the Prometheus data source provisioning declares
// (provisioning/datasources/vigie.yaml).
func datasource() common.DataSourceRef {
	typ, uid := "prometheus", "vigie-prometheus"
	return common.DataSourceRef{Type: &typ, Uid: &uid}
}

// query is one PromQL target; legend is Grafana's legend format.
type query struct {
	expr, legend string
	instant      bool // one value now (stat, gauge, table) rather than a range
	table        bool // format the result as a table
}

func q(expr string) query                                  { return query{expr: expr, instant: true} }
func ql(expr, legend string) query                         { return query{expr: expr, legend: legend, instant: true} }
func series(expr, legend string) query                     { return query{expr: expr, legend: legend} }
func tableOf(expr string) query                            { return query{expr: expr, instant: true, table: true} }
func f(v float64) *float64                                 { return &v }
func steps(s ...dashboard.Threshold) []dashboard.Threshold { return s }

// step is a threshold from value on (nil: from the bottom) in colour.
func step(value *float64, colour string) dashboard.Threshold {
	return dashboard.Threshold{Value: value, Color: colour}
}

var (
	scoreSteps = steps(step(nil, "red"), step(f(50), "yellow"), step(f(80), "green"))
	checkSteps = steps(step(nil, "red"), step(f(5), "yellow"), step(f(8), "green"))
	// alarm: green at zero, colour from one on.
	alarm = func(colour string) []dashboard.Threshold { return steps(step(nil, "green"), step(f(1), colour)) }
)

// spec is what every panel of vigie's dashboards says; the panel's own
// options are set by its constructor.
type spec struct {
	title, desc          string
	x, y, w, h           uint32
	queries              []query
	unit                 string
	min, max, decimals   *float64
	thresholds           []dashboard.Threshold
	labelsAsTableColumns bool
}

// panelBuilder is what the foundation SDK's panel builders share.
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Id(uint32) B
	Title(string) B
	Description(string) B
	Datasource(common.DataSourceRef) B
	GridPos(dashboard.GridPos) B
	WithTarget(cog.Builder[variants.Dataquery]) B
	Unit(string) B
	Min(float64) B
	Max(float64) B
	Decimals(float64) B
	Thresholds(cog.Builder[dashboard.ThresholdsConfig]) B
	ColorScheme(cog.Builder[dashboard.FieldColor]) B
	WithTransformation(dashboard.DataTransformerConfig) B
}

// panels numbers a dashboard's panels in the order they are added.
type panels struct {
	list []cog.Builder[dashboard.Panel]
}

func add[B panelBuilder[B]](ps *panels, b B, s spec) {
	b.Id(uint32(len(ps.list) + 1)).
		Title(s.title).
		Description(s.desc).
		Datasource(datasource()).
		GridPos(dashboard.GridPos{X: s.x, Y: s.y, W: s.w, H: s.h})
	for i, qu := range s.queries {
		t := prometheus.NewDataqueryBuilder().
			Datasource(datasource()).
			Expr(qu.expr).
			LegendFormat(qu.legend).
			RefId(string(rune('A' + i)))
		if qu.instant {
			t.Instant()
		}
		if qu.table {
			t.Format(prometheus.PromQueryFormatTable)
		}
		b.WithTarget(t)
	}
	if s.unit != "" {
		b.Unit(s.unit)
	}
	if s.min != nil {
		b.Min(*s.min)
	}
	if s.max != nil {
		b.Max(*s.max)
	}
	if s.decimals != nil {
		b.Decimals(*s.decimals)
	}
	if s.thresholds != nil {
		b.Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(s.thresholds))
		b.ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds))
	}
	if s.labelsAsTableColumns {
		// One row per series, its labels as columns, without the
		// columns that say nothing to a reader.
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "labelsToFields", Options: map[string]any{}})
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]any{"Time": true, "__name__": true, "job": true, "instance": true},
		}})
	}
	ps.list = append(ps.list, b)
}

// board is the frame every vigie dashboard shares.
func board(uid, title, desc string, ps *panels, refresh, from string) *dashboard.DashboardBuilder {
	b := dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(desc).
		Tags([]string{"vigie"}).
		Editable().
		Version(1).
		Refresh(refresh).
		Time(from, "now").
		Timezone("browser").
		Link(dashboard.NewDashboardLinkBuilder("Tableaux vigie").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"vigie"}).
			AsDropdown(true))
	for _, p := range ps.list {
		b.WithPanel(p)
	}
	return b
}

// labelValues is a variable listing a label's values.
func labelValues(name, label, metric, key string, multi bool) *dashboard.QueryVariableBuilder {
	def := "label_values(" + metric + ", " + key + ")"
	v := dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasource()).
		Query(dashboard.StringOrMap{Map: map[string]any{
			"query": def, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1,
		}}).
		Definition(def).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(multi)
	if multi {
		all := "All"
		sel := "$__all"
		v.IncludeAll(true).AllValue(".*").Current(dashboard.VariableOption{
			Text: dashboard.StringOrArrayOfString{String: &all}, Value: dashboard.StringOrArrayOfString{String: &sel},
		})
	}
	return v
}

// choice is a variable with fixed values.
func choice(name, label string, values []string, current string) *dashboard.CustomVariableBuilder {
	opt := func(v string, selected bool) dashboard.VariableOption {
		return dashboard.VariableOption{Selected: &selected,
			Text: dashboard.StringOrArrayOfString{String: &v}, Value: dashboard.StringOrArrayOfString{String: &v}}
	}
	var opts []dashboard.VariableOption
	joined := ""
	for i, v := range values {
		opts = append(opts, opt(v, v == current))
		if i > 0 {
			joined += ","
		}
		joined += v
	}
	cur := opt(current, true)
	cur.Selected = nil
	return dashboard.NewCustomVariableBuilder(name).
		Label(label).
		Values(dashboard.StringOrMap{String: &joined}).
		Current(cur).
		Options(opts)
}

// The panels' constructors set what Grafana would take by default when a
// panel's options are left out, and the SDK's zero values would change:
// show the value that came last, orient automatically, show the legend.

func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})
}

func statPanel() *stat.PanelBuilder {
	return stat.NewPanelBuilder().ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto)
}

func gaugePanel() *gauge.PanelBuilder {
	return gauge.NewPanelBuilder().ReduceOptions(lastValue()).Orientation(common.VizOrientationAuto)
}

// barGauge lays its bars horizontally, one per series.
func barGauge(mode common.BarGaugeDisplayMode) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().ReduceOptions(lastValue()).
		Orientation(common.VizOrientationHorizontal).DisplayMode(mode)
}

func timeSeries() *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom).ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeSingle).Sort(common.SortOrderNone))
}

func tablePanel() *table.PanelBuilder { return table.NewPanelBuilder() }
