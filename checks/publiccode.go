package checks

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// PubliccodeVerdict validates the repository's root publiccode.yml (or
// .yaml) offline against the standard's mandatory keys for the version it
// declares (publiccodeyml/publiccode.yml, schema.core.rst), each problem
// with its line and key, then cross-checks it with the repository: its
// `url` is this repository, its `legal.license` agrees with the licence
// identified. A missing key is reported at its parent's line (1 for a
// top-level key). When the file is missing or invalid, Suggestion holds a
// pre-filled file built from what vigie knows.
func PubliccodeVerdict(f crawler.Facts, o Options) Publiccode {
	pc := Publiccode{File: f.Community.Publiccode, Errors: []PubliccodeError{}}
	if pc.File != "" {
		v := &pcValidator{o: o}
		v.validate(f.Publiccode)
		pc.Version, pc.Errors = v.version, v.errs
		pc.maintenanceType = v.maintenanceType
		if v.root != nil {
			v.crossCheck(f)
			pc.Errors = v.errs
		}
	}
	if pc.Errors == nil {
		pc.Errors = []PubliccodeError{} // "errors": [], never null
	}
	pc.Valid = pc.File != "" && len(pc.Errors) == 0
	if !pc.Valid {
		pc.Suggestion = SuggestPubliccode(f)
	}
	return pc
}

// Versions of the standard vigie knows, as declared (publiccodeYmlVersion).
var publiccodeVersions = []string{"0.1", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.2.3", "0.3", "0.3.0", "0.4", "0.4.0", "0.5", "0.5.0", "0.6", "0.6.0", "0.7", "0.7.0"}

var (
	developmentStatuses = []string{"concept", "development", "beta", "stable", "obsolete"}
	softwareTypes       = []string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
	maintenanceTypes    = []string{"internal", "contract", "community", "none"}
)

type pcValidator struct {
	o               Options
	root            *yaml.Node // the top-level mapping
	version         string
	minor           int // 1..7: 0.<minor>
	maintenanceType string
	errs            []PubliccodeError
}

func (v *pcValidator) fail(line int, key, fr, en string) {
	v.errs = append(v.errs, PubliccodeError{Line: line, Key: key, Message: v.o.text(fr, en)})
}

// get returns the value of key in a mapping node, and the line of the key.
func get(m *yaml.Node, key string) (*yaml.Node, int) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], m.Content[i].Line
		}
	}
	return nil, 0
}

func (v *pcValidator) validate(text string) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		line := 1
		msg := err.Error()
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
		}
		v.fail(line, "", "YAML illisible : "+msg, "unreadable YAML: "+msg)
		return
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		v.fail(1, "", "le fichier est vide ou n'est pas un dictionnaire de clés", "the file is empty or not a mapping of keys")
		return
	}
	v.root = doc.Content[0]
	r := v.root

	ver, line := get(r, "publiccodeYmlVersion")
	switch {
	case ver == nil:
		v.fail(1, "publiccodeYmlVersion", "clé obligatoire absente : la version du standard suivie", "mandatory key missing: the version of the standard followed")
		v.minor = 7
	case !slices.Contains(publiccodeVersions, ver.Value):
		v.version = ver.Value
		v.fail(line, "publiccodeYmlVersion", fmt.Sprintf("version %q inconnue du standard (de 0.1 à 0.7.0)", ver.Value), fmt.Sprintf("version %q unknown to the standard (0.1 to 0.7.0)", ver.Value))
		v.minor = 7
	default:
		v.version = ver.Value
		fmt.Sscanf(ver.Value, "0.%d", &v.minor)
	}

	v.scalar(r, 1, "name", "name")
	if u := v.scalar(r, 1, "url", "url"); u != nil && !strings.Contains(u.Value, "://") {
		v.fail(u.Line, "url", fmt.Sprintf("%q n'est pas une adresse de dépôt (https://...)", u.Value), fmt.Sprintf("%q is not a repository address (https://...)", u.Value))
	}
	v.list(r, 1, "platforms", "platforms")
	if s := v.scalar(r, 1, "developmentStatus", "developmentStatus"); s != nil && !slices.Contains(developmentStatuses, s.Value) {
		v.fail(s.Line, "developmentStatus", fmt.Sprintf("%q n'est pas un état prévu (%s)", s.Value, strings.Join(developmentStatuses, ", ")), fmt.Sprintf("%q is not an allowed status (%s)", s.Value, strings.Join(developmentStatuses, ", ")))
	}
	if s := v.scalar(r, 1, "softwareType", "softwareType"); s != nil && !slices.Contains(softwareTypes, s.Value) && !(v.minor <= 2 && strings.HasPrefix(s.Value, "standalone")) {
		v.fail(s.Line, "softwareType", fmt.Sprintf("%q n'est pas un type prévu (%s)", s.Value, strings.Join(softwareTypes, ", ")), fmt.Sprintf("%q is not an allowed type (%s)", s.Value, strings.Join(softwareTypes, ", ")))
	}
	if v.minor <= 4 {
		v.list(r, 1, "categories", "categories")
	}
	// releaseDate was mandatory until 0.4.0 made it optional.
	if v.minor <= 3 {
		v.scalar(r, 1, "releaseDate", "releaseDate")
	}
	v.description(r)

	legal := v.mapping(r, 1, "legal", "legal")
	if legal != nil {
		v.scalar(legal, legal.Line, "license", "legal.license")
	}

	if m := v.mapping(r, 1, "maintenance", "maintenance"); m != nil {
		if t := v.scalar(m, m.Line, "type", "maintenance.type"); t != nil {
			if !slices.Contains(maintenanceTypes, t.Value) {
				v.fail(t.Line, "maintenance.type", fmt.Sprintf("%q n'est pas un type de maintenance prévu (%s)", t.Value, strings.Join(maintenanceTypes, ", ")), fmt.Sprintf("%q is not an allowed maintenance type (%s)", t.Value, strings.Join(maintenanceTypes, ", ")))
			} else {
				v.maintenanceType = t.Value
			}
			switch t.Value {
			case "contract":
				v.list(m, m.Line, "contractors", "maintenance.contractors")
			case "internal", "community":
				if c := v.list(m, m.Line, "contacts", "maintenance.contacts"); c != nil {
					for i, ct := range c.Content {
						if ct.Kind == yaml.MappingNode {
							v.scalar(ct, ct.Line, "name", fmt.Sprintf("maintenance.contacts[%d].name", i))
						}
					}
				}
			}
		}
	}

	if l := v.mapping(r, 1, "localisation", "localisation"); l != nil {
		if b, line := get(l, "localisationReady"); b == nil {
			v.missing(l.Line, "localisation.localisationReady")
		} else if b.Tag != "!!bool" {
			v.fail(line, "localisation.localisationReady", "doit valoir true ou false", "must be true or false")
		}
		v.list(l, l.Line, "availableLanguages", "localisation.availableLanguages")
	}

	if v.minor >= 5 {
		if org, line := get(r, "organisation"); org != nil {
			if org.Kind != yaml.MappingNode {
				v.fail(line, "organisation", "doit être un dictionnaire (uri, name)", "must be a mapping (uri, name)")
			} else {
				v.scalar(org, line, "uri", "organisation.uri")
			}
		}
	}
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func (v *pcValidator) missing(parentLine int, key string) {
	v.fail(parentLine, key, "clé obligatoire absente", "mandatory key missing")
}

// scalar checks that key is a non-empty scalar of m; parentLine is where a
// missing key is reported.
func (v *pcValidator) scalar(m *yaml.Node, parentLine int, key, full string) *yaml.Node {
	n, line := get(m, key)
	switch {
	case n == nil:
		v.missing(parentLine, full)
		return nil
	case n.Kind != yaml.ScalarNode || n.Tag == "!!null":
		v.fail(line, full, "doit être une valeur simple, non vide", "must be a plain, non-empty value")
		return nil
	case strings.TrimSpace(n.Value) == "":
		v.fail(line, full, "valeur vide", "empty value")
		return nil
	}
	return n
}

// list checks that key is a non-empty sequence of m.
func (v *pcValidator) list(m *yaml.Node, parentLine int, key, full string) *yaml.Node {
	n, line := get(m, key)
	switch {
	case n == nil:
		v.missing(parentLine, full)
		return nil
	case n.Kind != yaml.SequenceNode:
		v.fail(line, full, "doit être une liste", "must be a list")
		return nil
	case len(n.Content) == 0:
		v.fail(line, full, "liste vide", "empty list")
		return nil
	}
	return n
}

// mapping checks that key is a mapping of m; the returned node's Line is
// the key's line (where its own missing keys are reported).
func (v *pcValidator) mapping(m *yaml.Node, parentLine int, key, full string) *yaml.Node {
	n, line := get(m, key)
	switch {
	case n == nil:
		v.missing(parentLine, full)
		return nil
	case n.Kind != yaml.MappingNode:
		v.fail(line, full, "doit être un dictionnaire de clés", "must be a mapping of keys")
		return nil
	}
	c := *n
	c.Line = line
	return &c
}

// description checks description.<lang>: shortDescription (at most 150
// characters) in every language given, longDescription (150 to 10,000
// characters) and features in at least one.
func (v *pcValidator) description(r *yaml.Node) {
	d := v.mapping(r, 1, "description", "description")
	if d == nil {
		return
	}
	if len(d.Content) == 0 {
		v.fail(d.Line, "description", "aucune langue : ajoutez au moins description.fr", "no language: add at least description.fr")
		return
	}
	longOK, featuresOK := false, false
	for i := 0; i+1 < len(d.Content); i += 2 {
		lang, body := d.Content[i].Value, d.Content[i+1]
		key := "description." + lang
		if body.Kind != yaml.MappingNode {
			v.fail(d.Content[i].Line, key, "doit être un dictionnaire de clés", "must be a mapping of keys")
			continue
		}
		if s := v.scalar(body, d.Content[i].Line, "shortDescription", key+".shortDescription"); s != nil {
			if n := utf8.RuneCountInString(s.Value); n > 150 {
				v.fail(s.Line, key+".shortDescription", fmt.Sprintf("%d caractères : 150 au plus", n), fmt.Sprintf("%d characters: at most 150", n))
			}
		}
		if l, line := get(body, "longDescription"); l != nil {
			n := utf8.RuneCountInString(strings.TrimSpace(l.Value))
			if n >= 150 && n <= 10000 {
				longOK = true
			} else {
				v.fail(line, key+".longDescription", fmt.Sprintf("%d caractères : entre 150 et 10 000", n), fmt.Sprintf("%d characters: between 150 and 10,000", n))
				longOK = true // reported once, here
			}
		}
		if fl, line := get(body, "features"); fl != nil {
			featuresOK = true
			if fl.Kind != yaml.SequenceNode || len(fl.Content) == 0 {
				v.fail(line, key+".features", "doit être une liste non vide", "must be a non-empty list")
			}
		}
	}
	first := "description." + d.Content[0].Value
	if !longOK {
		v.missing(d.Content[0].Line, first+".longDescription")
	}
	if !featuresOK {
		v.missing(d.Content[0].Line, first+".features")
	}
}

// crossCheck compares the file with the repository.
func (v *pcValidator) crossCheck(f crawler.Facts) {
	if u, line := get(v.root, "url"); u != nil && u.Kind == yaml.ScalarNode && strings.Contains(u.Value, "://") {
		if !sameRepoURL(u.Value, f) {
			v.fail(line, "url", fmt.Sprintf("%s n'est pas ce dépôt (%s)", u.Value, f.Ref.URL), fmt.Sprintf("%s is not this repository (%s)", u.Value, f.Ref.URL))
		}
	}
	legal, _ := get(v.root, "legal")
	l, line := get(legal, "license")
	if l == nil || l.Kind != yaml.ScalarNode || l.Value == "" {
		return
	}
	spdx, _ := licenseVerdict(f.License)
	if spdx == "" || spdx == "NOASSERTION" {
		return
	}
	if !licensesAgree(l.Value, spdx) {
		v.fail(line, "legal.license", fmt.Sprintf("%s ne correspond pas à la licence du dépôt (%s)", l.Value, spdx), fmt.Sprintf("%s does not match the repository's licence (%s)", l.Value, spdx))
	}
}

// sameRepoURL tells whether a publiccode.yml url names the repository:
// scheme, case of the host, ".git" and a trailing slash aside; the path
// the forge answers with (after a rename) counts too.
func sameRepoURL(u string, f crawler.Facts) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(s)
		if _, rest, ok := strings.Cut(s, "://"); ok {
			s = rest
		}
		s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
		return strings.ToLower(s)
	}
	got := norm(u)
	if got == norm(f.Ref.URL) {
		return true
	}
	if f.CanonicalPath != "" {
		return got == norm(f.Ref.Host+f.Ref.Base+"/"+f.CanonicalPath)
	}
	return false
}

// licensesAgree tells whether a publiccode.yml licence expression names the
// identified licence (one of them when several): GNU ids agree with or
// without -only / -or-later.
func licensesAgree(expr, spdx string) bool {
	ids := map[string]bool{}
	for _, id := range strings.Split(spdx, " OR ") {
		ids[licenseid.Normalize(id)] = true
	}
	repl := strings.NewReplacer("(", " ", ")", " ")
	for _, w := range strings.Fields(repl.Replace(expr)) {
		switch strings.ToUpper(w) {
		case "AND", "OR", "WITH":
			continue
		}
		if ids[licenseid.Normalize(w)] {
			return true
		}
	}
	return false
}

// SuggestPubliccode builds a publiccode.yml (standard 0.5.0) from what
// vigie knows of the repository: name, url, description, licence,
// languages, maintenance contacts found, development status from
// activity. Fields vigie cannot know are marked « à compléter ».
func SuggestPubliccode(f crawler.Facts) string {
	name := path.Base(f.Ref.Path)
	if f.CanonicalPath != "" {
		name = path.Base(f.CanonicalPath)
	}
	short := strings.TrimSpace(f.Description)
	if short == "" {
		short = "À compléter : ce que fait " + name + ", en une phrase"
	}
	if r := []rune(short); len(r) > 150 {
		short = string(r[:149]) + "…"
	}
	long := readmeProse(f.Readme.Text)
	if utf8.RuneCountInString(long) < 150 {
		long = strings.TrimSpace(long + " À compléter : décrivez le logiciel en au moins 150 caractères, pour qui il est fait, ce qu'il permet et dans quel contexte il a été développé.")
	}
	if r := []rune(long); len(r) > 10000 {
		long = string(r[:9999])
	}
	spdx, _ := licenseVerdict(f.License)
	if spdx == "" || spdx == "NOASSERTION" {
		spdx = "À compléter (identifiant SPDX, par exemple EUPL-1.2)"
	}
	status := "stable"
	switch {
	case f.Archived:
		status = "obsolete"
	case f.Release == nil && f.Activity.Commits90d > 0:
		status = "development"
	}
	mtype := "internal"
	var contacts []map[string]string
	rs := readTheReadme(f.Readme.Text)
	if f.Archived {
		mtype = "none"
	} else if m := emailRe.FindString(rs.contact); m != "" {
		contacts = append(contacts, map[string]string{"name": "À compléter", "email": m})
	} else {
		contacts = append(contacts, map[string]string{"name": "À compléter", "email": "à compléter"})
	}
	languages := []string{"fr"}
	type desc struct {
		ShortDescription string   `yaml:"shortDescription"`
		LongDescription  string   `yaml:"longDescription"`
		Features         []string `yaml:"features"`
	}
	type maintenance struct {
		Type     string              `yaml:"type"`
		Contacts []map[string]string `yaml:"contacts,omitempty"`
	}
	doc := struct {
		Version      string            `yaml:"publiccodeYmlVersion"`
		Name         string            `yaml:"name"`
		URL          string            `yaml:"url"`
		LandingURL   string            `yaml:"landingURL,omitempty"`
		Platforms    []string          `yaml:"platforms"`
		Status       string            `yaml:"developmentStatus"`
		Type         string            `yaml:"softwareType"`
		Description  map[string]desc   `yaml:"description"`
		Legal        map[string]string `yaml:"legal"`
		Maintenance  maintenance       `yaml:"maintenance"`
		Localisation struct {
			Ready     bool     `yaml:"localisationReady"`
			Languages []string `yaml:"availableLanguages"`
		} `yaml:"localisation"`
	}{
		Version: "0.5.0", Name: name, URL: f.Ref.URL, LandingURL: f.Homepage,
		Platforms: []string{"web"}, Status: status, Type: "standalone/web",
		Description: map[string]desc{"fr": {ShortDescription: short, LongDescription: long, Features: []string{"À compléter : une fonctionnalité par ligne"}}},
		Legal:       map[string]string{"license": spdx},
		Maintenance: maintenance{Type: mtype, Contacts: contacts},
	}
	doc.Localisation.Languages = languages
	b, err := yaml.Marshal(doc)
	if err != nil {
		return ""
	}
	return string(b)
}

// readmeProse returns the README's introduction: the paragraphs of prose
// before its first section heading that follows some prose (the title
// heading does not count). Later sections (installation, usage) describe
// how to run the software, not what it is: joined in, they read as one
// garbled paragraph in a publiccode.yml description.
func readmeProse(text string) string {
	var paras []string
	var cur []string
	n := 0
	// flush keeps the paragraph read so far when it is prose (a sentence of
	// eight words or more, not a badge, image, table or link line).
	flush := func() {
		if p := strings.Join(cur, " "); len(cur) > 0 && isProse(p) && n <= 600 {
			paras = append(paras, p)
			n += len(p)
		}
		cur = nil
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	inFence := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			inFence = !inFence
			flush()
			continue
		}
		if inFence {
			continue
		}
		if _, ok := heading(lines, i); ok {
			flush()
			if len(paras) > 0 {
				break
			}
			continue
		}
		if t == "" {
			flush()
			continue
		}
		cur = append(cur, t)
	}
	flush()
	return strings.Join(paras, "\n\n")
}
