package checks

import "testing"

// TestReadmeSaysNaturalWording reads lines as entrepreneurs write them, in
// French and English, none in the rules' own words; want names the fields
// that must be found (every other field must stay empty).
func TestReadmeSaysNaturalWording(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"Le dépôt n'est plus mis à jour depuis juin 2021.", []string{"maintenance"}},
		{"This project is no longer under active development.", []string{"maintenance"}},
		{"Nous ne maintenons plus ce projet.", []string{"maintenance"}},
		{"Ce dépôt est archivé : le service a rejoint l'application principale.", []string{"maintenance"}},
		{"Maintenance : passive", []string{"maintenance"}},
		{"Le projet est aujourd'hui maintenu par l'équipe data du ministère.", []string{"maintenance"}},
		{"This project is deprecated: use the national API instead.", []string{"maintenance"}},
		{"Ce dépôt est obsolète, voir la nouvelle version.", []string{"maintenance"}},
		{"The v1 endpoints are deprecated and will be removed.", nil},
		{"Python 2 est obsolète : utilisez Python 3.", nil},
		{"L'ancienne version est archivée sur un autre dépôt.", nil},
		{"(C) 2019 Ministère des Armées, Jeanne Dupont", []string{"copyright"}},
		{"(c) Ministère de la Culture - John Smith", []string{"copyright"}},
		{"Copyright 2020 DINUM", []string{"copyright"}},
		{"(c) les données sont publiées chaque lundi", nil},
		{"On distingue (a) les communes, (b) les départements et (c) les régions.", nil},
		{"Les tests se lancent avec `php artisan test`.", []string{"test"}},
		{"Lancez `bundle exec rails test`.", []string{"test"}},
		{"Lancez `bundle exec rake spec`.", []string{"test"}},
		{"Lancez `yarn jest`.", []string{"test"}},
		{"`mix test`", []string{"test"}},
		{"Déploiement sur un serveur Ubuntu (testé sur 16.04)", nil},
		{"Le code est sous AGPL-3.0.", []string{"license"}},
		{"Released under MIT.", []string{"license"}},
		{"Ce logiciel utilise la bibliothèque Leaflet.", nil},
		{"N'hésitez pas à ouvrir une issue ou à proposer une PR.", []string{"contributions"}},
		{"Login: maire@chelles.fr", nil},
		{"Identifiant : admin@example.org / mot de passe : admin", nil},
		{"Support utilisateur : support@beta.gouv.fr", []string{"contact"}},
		{"Projet issu de la promotion 3 d'EIG (https://entrepreneur-interet-general.etalab.gouv.fr)", []string{"programme", "programmeLink"}},
		{"Le défi [Brigade Numérique](https://entrepreneur-interet-general.etalab.gouv.fr/defis/2018/brigadenumerique.html) est documenté ici.", []string{"programme", "programmeLink"}},
		{"Front-end of the [Champollion project](https://eig.etalab.gouv.fr/defis/champollion/).", []string{"programmeLink"}},
		{"Voir https://github.com/entrepreneur-interet-general pour les autres défis.", nil},
	}
	for _, tc := range tests {
		s := readTheReadme(tc.line)
		got := map[string]string{
			"copyright": s.copyright, "test": s.test, "contact": s.contact, "contributions": s.contributions,
			"license": s.license, "programme": s.programme, "programmeLink": s.programmeLink, "maintenance": s.maintenance,
			"tracker": s.tracker, "usage": s.usage, "install": s.install, "docsLink": s.docsLink, "security": s.security,
		}
		want := map[string]bool{}
		for _, w := range tc.want {
			want[w] = true
		}
		for k, v := range got {
			if (v != "") != want[k] {
				t.Errorf("%q: %s = %q, want found=%v", tc.line, k, v, want[k])
			}
		}
	}
}
