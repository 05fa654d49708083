package emitter

// The Redis Cluster and Sentinel options without a server: accepted by the C library, and
// printed without the passwords of their URLs.

import (
	"fmt"
	"strings"
	"testing"
)

func TestTopologyOptionsAreAccepted(t *testing.T) {
	for _, o := range []*Options{
		{ClusterNodes: []string{"redis://127.0.0.1:7000", "redis://u:pw@127.0.0.1:7001"}, Adapter: AdapterSharded, RequireReceivers: true},
		{ClusterNodes: []string{"rediss://127.0.0.1:7000"}},
		{SentinelMaster: "mymaster", SentinelNodes: []string{"redis://127.0.0.1:26379", "redis://:pw@127.0.0.1:26380"}},
	} {
		copts, err := buildOptions(o)
		if err != nil {
			t.Errorf("%v: %v", o, err)
			continue
		}
		freeOptions(copts)
	}
	if !(&Options{SentinelMaster: "m"}).hasTopology() || (&Options{}).hasTopology() || (*Options)(nil).hasTopology() {
		t.Error("hasTopology")
	}
}

func TestTopologyOptionsPrintWithoutPasswords(t *testing.T) {
	o := Options{
		ClusterNodes:   []string{"redis://alice:s3cret-pw@10.0.0.1:7000", "not a url s3cret-pw"},
		SentinelMaster: "mymaster",
		SentinelNodes:  []string{"redis://:s3cret-pw@10.0.0.2:26379", "redis://10.0.0.3:26379"},
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{o, &o} {
			text := fmt.Sprintf(format, v)
			if strings.Contains(text, "s3cret") {
				t.Errorf("%s shows the password: %s", format, text)
			}
			for _, want := range []string{"redis://alice:***@10.0.0.1:7000", "<unparsable URL>", "redis://:***@10.0.0.2:26379", "redis://10.0.0.3:26379", "mymaster"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: %q not in %s", format, want, text)
				}
			}
		}
	}
	if o.ClusterNodes[0] != "redis://alice:s3cret-pw@10.0.0.1:7000" {
		t.Error("printing changed the options")
	}
}
