// docker-daemon-exporter's monitoring mixin (monitoring-mixins conventions).
//
//   local docker = (import 'docker-daemon-exporter/mixin/mixin.libsonnet') + {
//     _config+:: { selector: 'job="docker-hosts"', runbookURLPattern: 'https://wiki.example/docker#%s' },
//   };
//   { 'docker.rules.yml': std.manifestYamlDoc(docker.prometheusAlerts) }
//
// The rules are written once, in mixin/*.ts, with placeholders: {SEL} and {SEL, for the selector,
// (HOST and (AGG for the host and aggregation labels, THRESHOLD(name) for a threshold. templates.json
// and config.json are generated from them (npm run mixin); this file fills the placeholders from
// _config in the same order as mixin/render.ts, and a test keeps both renderings equal.
local templates = import 'templates.json';

local number(v) =
  if std.type(v) != 'number' then v
  else if v == std.floor(v) then std.toString(v)
  else std.format('%g', v);

local apply(expr, c) =
  local selected = std.strReplace(
    std.strReplace(expr, '{SEL}', '{' + c.selector + '}'),
    '{SEL,',
    if c.selector == '' then '{' else '{' + c.selector + ','
  );
  local grouped = std.strReplace(
    std.strReplace(selected, '(HOST', '(' + c.hostLabels),
    '(AGG',
    '(' + c.aggregationLabels
  );
  std.foldl(
    function(e, name) std.strReplace(e, 'THRESHOLD(' + name + ')', number(c.thresholds[name])),
    std.objectFields(c.thresholds),
    grouped
  );

{
  _config:: import 'config.json',

  prometheusAlerts:: {
    local c = $._config,
    groups: [
      {
        name: g.name,
        rules: [
          {
            alert: r.alert,
            expr: apply(r.expr, c),
            'for': r['for'],
            labels: { severity: if std.objectHas(c.severities, r.alert) then c.severities[r.alert] else r.severity },
            annotations: {
              summary: r.summary,
              description: r.description,
              runbook_url: std.strReplace(c.runbookURLPattern, '%s', r.runbook),
            },
          }
          for r in g.rules
        ],
      }
      for g in templates.alerts
    ],
  },

  prometheusRules:: {
    local c = $._config,
    groups: [
      { name: g.name, rules: [{ record: r.record, expr: apply(r.expr, c) } for r in g.rules] }
      for g in templates.rules
    ],
  },

  grafanaDashboards:: {
    'docker-fleet.json': import '../dashboards/docker-fleet.json',
    'docker-host.json': import '../dashboards/docker-host.json',
  },
}
