/*
 * t/classify.c - every encoding and word rule of the classifier, the traps
 * of issue 3, and the tokens file loader.
 */
#include <stdio.h>
#include <string.h>

#include "common/addr.h"
#include "common/mix64.h"
#include "common/yconf.h"
#include "policyd/classify.h"
#include "policyd/tokens.h"
#include "t/tap.h"

struct tcase {
	const char *name, *ip;
	enum vclass want;
	const char *has;        /* substring of the reason, or NULL */
	const char *hasnt;      /* must not appear, or NULL */
};

static const struct tcase cases[] = {
	/* traps */
	{ "smtp.cableworks.example", "192.0.2.1", VCLASS_MAIL, "server=smtp", "access" },
	{ "mx2.example4321.org", "4.3.2.1", VCLASS_MAIL, "server=mx", "full" },
	{ "relay-7-8.mailhost.example", "10.9.7.8", VCLASS_MAIL, "ip=partial-dashed(3,4)", NULL },
	{ "a27-112.smtp-out.amazonses.com", "54.240.27.112", VCLASS_MAIL, "by=mail-domain", NULL },
	{ "out162-62-58-211.mail.qq.com", "162.62.58.211", VCLASS_MAIL, "ip=full-dashed(4/4)", NULL },
	{ "ec2-3-80-1-2.compute-1.amazonaws.com", "3.80.1.2", VCLASS_GENERIC, "ip=full-dashed(4/4)", NULL },
	/* IPv4 encodings */
	{ "c-67-168-174-61.client.comcast.net", "67.168.174.61", VCLASS_DYNAMIC, "by=access+ip ip=full-dashed(4/4) access=client", NULL },
	{ "static.95.144.75.5.clients.your-server.de", "5.75.144.95", VCLASS_GENERIC, "ip=full-dotted-rev(4/4)", NULL },
	{ "dslb-088-067-202-008.088.067.pools.vodafone-ip.de", "88.67.202.8", VCLASS_DYNAMIC, "ip=full-padded-dashed(4/4) access=dslb,pools", NULL },
	{ "dhcp024-210-034-053.columbus.rr.com", "24.210.34.53", VCLASS_DYNAMIC, "full-padded-dashed", NULL },
	{ "YahooBB219173000034.bbtec.net", "219.173.0.34", VCLASS_DYNAMIC, "ip=full-padded-concat(4/4)", NULL },
	{ "host2191731234.example.net", "219.173.12.34", VCLASS_DYNAMIC, "by=pool-encoding ip=full-concat(4/4)", NULL },
	{ "KD111239012003.au-net.ne.jp", "111.239.12.3", VCLASS_DYNAMIC, "by=pool-encoding ip=full-padded-concat(4/4)", NULL },
	{ "c0a80001.example.net", "192.168.0.1", VCLASS_DYNAMIC, "by=pool-encoding ip=hex", NULL },
	{ "vps-c0a80001.example.net", "192.168.0.1", VCLASS_GENERIC, "by=hosting-word ip=hex", NULL },
	{ "o1678974x241.outbound-mail.sendgrid.net", "167.89.74.241", VCLASS_MAIL, "ip=full-x(4/4)", NULL },
	{ "p5DDB3EC9.dip0.t-ipconnect.de", "93.219.62.201", VCLASS_DYNAMIC, "ip=hex access=dip", NULL },
	{ "ool-18be1aaf.dyn.optonline.net", "24.190.26.175", VCLASS_DYNAMIC, "ip=hex access=dyn", NULL },
	{ "0x3ec6ec81.inet.dsl.telianet.dk", "62.198.236.129", VCLASS_DYNAMIC, "ip=hex", NULL },
	{ "catv-d8376250.example.hu", "80.98.55.216", VCLASS_DYNAMIC, "ip=hex-rev access=catv", NULL },
	{ "113x35x70x11.ap113.ftth.ucom.ne.jp", "113.35.70.11", VCLASS_DYNAMIC, "ip=full-x(4/4) access=ftth", NULL },
	{ "74.67-201-80.adsl.skynet.be", "80.201.67.74", VCLASS_DYNAMIC, "ip=full-mixed-rev(4/4) access=adsl", NULL },
	{ "pc-134-45-241-201.cm.vtr.net", "201.241.45.134", VCLASS_DYNAMIC, "ip=full-dashed-rev(4/4)", NULL },
	{ "118.red-80-35-201.pooles.rima-tde.net", "80.35.201.118", VCLASS_DYNAMIC, "ip=full-split(1,2,3+4)", NULL },
	{ "d53-64-35-171.nap.wideopenwest.com", "64.53.171.35", VCLASS_DYNAMIC, "ip=full-split(2,1+4,3)", NULL },
	{ "fia83-8.dsl.hccnet.nl", "62.251.8.83", VCLASS_DYNAMIC, "ip=partial-dashed(4,3)", NULL },
	{ "cm-vina5-168-207.cm.vtr.net", "200.104.168.207", VCLASS_DYNAMIC, "ip=partial-dashed(3,4)", NULL },
	{ "mail-m15573.qiye.163.com", "101.71.155.73", VCLASS_MAIL, "ip=partial-concat(3,4)", NULL },
	{ "dsl-10-20-30.example.net", "10.20.30.40", VCLASS_DYNAMIC, "ip=three-dashed(1,2,3)", NULL },
	{ "ip_1_2_3_4.example.net", "1.2.3.4", VCLASS_GENERIC, "ip=full-underscore(4/4)", NULL },
	/* IPv6 */
	{ "p200300ec2f0f5e00e15a1b2e1d2ace20.dip0.t-ipconnect.de", "2003:ec:2f0f:5e00:e15a:1b2e:1d2a:ce20", VCLASS_DYNAMIC, "ip=v6-nibbles", NULL },
	{ "p200300EC2F0F5E00.dip0.t-ipconnect.de", "2003:ec:2f0f:5e00:e15a:1b2e:1d2a:ce20", VCLASS_DYNAMIC, "ip=v6-nibbles(/64)", NULL },
	{ "2001-db8-1-2-3-4-5-6.dyn.example.net", "2001:db8:1:2:3:4:5:6", VCLASS_DYNAMIC, "ip=v6-dashed access=dyn", NULL },
	{ "2001-db8-1-2-0-0-0-9.pool.example.net", "2001:db8:1:2::9", VCLASS_DYNAMIC, "ip=v6-dashed", NULL },
	{ "2001-db8--9.cable.example.net", "2001:db8::9", VCLASS_DYNAMIC, "ip=v6-dashed-compressed", NULL },
	{ "2001-0db8-0001-0002-0000-0000-0000-0009.example.net", "2001:db8:1:2::9", VCLASS_GENERIC, "ip=v6-padded-dashed", NULL },
	{ "9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.example.net", "2001:db8:1:2::9", VCLASS_GENERIC, "ip=v6-arpa", NULL },
	{ "mail-ej1-x62f.google.com", "2a00:1450:4864:20::62f", VCLASS_MAIL, "server=mail", "ip=" },
	/* words */
	{ "modemcable090.28-201-24.mc.videotron.ca", "24.201.28.90", VCLASS_DYNAMIC, "access=modemcable", NULL },
	{ "dslam-vendor-7.example.net", "192.0.2.7", VCLASS_NONE, NULL, "access" },
	{ "user1.example.com", "192.0.2.1", VCLASS_NONE, "by=nothing", NULL },
	{ "user123.example.com", "192.0.2.1", VCLASS_DYNAMIC, "by=access+digits", NULL },
	{ "ec9z5l.cm.chello.no", NULL, VCLASS_DYNAMIC, "by=access+digits access=cm dom=isp:chello.no", NULL },
	{ "nat-gw1.corp.example.com", "192.0.2.1", VCLASS_NONE, NULL, NULL },
	{ "poolside-1-2-3-4.example.com", "1.2.3.4", VCLASS_GENERIC, "by=ip-in-name", "access" },
	{ "cableworks-1-2-3-4.example.com", "1.2.3.4", VCLASS_GENERIC, NULL, "access" },
	{ "80-218-47-160.dclient.hispeed.ch", "80.218.47.160", VCLASS_DYNAMIC, "access=dclient", NULL },
	{ "resomta-po-17v.sys.comcast.net", "96.114.154.1", VCLASS_MAIL, "server=resomta", NULL },
	{ "mailhost3.example.com", "192.0.2.3", VCLASS_MAIL, "server=mailhost", NULL },
	{ "chimx1.tribune.com", "163.192.2.18", VCLASS_MAIL, "server=chimx", NULL },
	{ "adsldhcp-12-34-56-78.example.net", "12.34.56.78", VCLASS_DYNAMIC, "access=adsldhcp", NULL },
	{ "pools-12-34-56-78.example.net", "12.34.56.78", VCLASS_DYNAMIC, "access=pools", NULL },
	{ "tdsl-12-34-56-78.example.net", "12.34.56.78", VCLASS_DYNAMIC, "access=tdsl", NULL },
	{ "ca-12-34-56-78.example.net", "12.34.56.78", VCLASS_GENERIC, NULL, "access" },
	{ "23-24-6-165-static.hfc.comcastbusiness.net", "23.24.6.165", VCLASS_STATIC, "static=static", NULL },
	/* a hosting word outweighs a static one: rented servers (the corpus
	 * labels this one a server) */
	{ "92-67-42-100-dedicated.multacom.com", "100.42.67.92", VCLASS_GENERIC, "by=hosting-word ip=full-dashed-rev(4/4)", NULL },
	{ "vps-185-12-34-61.static.example-dc.net", "185.12.34.61", VCLASS_GENERIC, "by=hosting-word", NULL },
	{ "12.34.56.78-static.reverse.softlayer.com", "12.34.56.78", VCLASS_GENERIC, "by=hosting-domain", NULL },
	{ "host89-46-12-34.static.arubacloud.com", "89.46.12.34", VCLASS_GENERIC, "by=hosting-domain", NULL },
	/* a static word with the address is a static line only under an
	 * ISP: hosters name their servers A.B.C.D.static.hoster too */
	{ "75.98.162.166.static.a2webhosting.com", "75.98.162.166", VCLASS_GENERIC, "by=hosting-domain", NULL },
	{ "186-89-162-69.static.reverse.example-colo.net", "69.162.89.186", VCLASS_GENERIC, "by=ip-in-name", NULL },
	{ "100-36-12-34.static.verizon.net", "100.36.12.34", VCLASS_STATIC, "by=static-word", NULL },
	/* one extra letter makes an access word only of an abbreviation:
	 * spool, homer, tres are English */
	{ "spool2-01.example.com", "192.0.2.10", VCLASS_NONE, "by=nothing", NULL },
	{ "homer123.example.com", "192.0.2.11", VCLASS_NONE, "by=nothing", NULL },
	{ "dslb-088-067-202-009.example.de", "88.67.202.9", VCLASS_DYNAMIC, "access=dslb", NULL },
	/* ISPs' own relays */
	{ "fed1rmmtao101.cox.net", "68.230.241.1", VCLASS_MAIL, "by=server-word", NULL },
	{ "amsfep141-int.chello.nl", "62.179.121.41", VCLASS_MAIL, "by=server-word", NULL },
	{ "vms173001pub.verizon.net", "206.46.173.1", VCLASS_MAIL, "server=vms", NULL },
	/* fibre lines and mobile carriers' pools */
	{ "99-1-2-3.fttp.usinternet.com", "99.1.2.3", VCLASS_DYNAMIC, "access=fttp", NULL },
	{ "ip-172-58-12-34.tmodns.net", "172.58.12.34", VCLASS_DYNAMIC, "by=isp-domain", NULL },
	{ "host-92-23-208-66.as13285.net", "92.23.208.66", VCLASS_DYNAMIC, "dom=isp:as13285.net", NULL },
	{ "ip-109-43-177-41.web.vodafone.de", "109.43.177.41", VCLASS_DYNAMIC, "dom=isp:web.vodafone.de", NULL },
	/* IPv6 groups match whole: 2001-db8-1-23 is another /64 than 2001:db8:1:2 */
	{ "static-2001-db8-1-23.example.net", "2001:db8:1:2::5", VCLASS_NONE, NULL, "v6-" },
	{ "x12001-db8-1-2.example.net", "2001:db8:1:2::1", VCLASS_NONE, NULL, "v6-" },
	{ "2001-db8-1-2-0-0-0-10.dyn.example.net", "2001:db8:1:2::1", VCLASS_DYNAMIC, "v6-dashed(/64)", NULL },
	{ "static-bpipl-101.0.57-5.com", "101.0.57.5", VCLASS_NONE, "ip=partial-dotted(1,2)", NULL },
	{ "host-109-168-232-131.stv.ru", "109.168.232.131", VCLASS_GENERIC, "by=ip-in-name ip=full-dashed(4/4)", NULL },
	{ "vps-109-168-232-131.example.ru", "109.168.232.131", VCLASS_GENERIC, "by=hosting-word", NULL },
	{ "vps123.customers.hoster.example", "192.0.2.12", VCLASS_GENERIC, "by=hosting-word", NULL },
	{ "li1322-146.members.linode.com", "45.79.223.146", VCLASS_GENERIC, "by=hosting-domain", NULL },
	{ "h234n2fls32o895.telia.com", "217.208.73.234", VCLASS_DYNAMIC, "by=isp-domain", NULL },
	{ "mail.theartfarm.com", "66.128.51.165", VCLASS_MAIL, NULL, NULL },
	{ "ntcsn.ru", "178.159.42.225", VCLASS_NONE, "host-part=none", NULL },
	{ "m43-7.mailgun.net", "69.72.43.7", VCLASS_MAIL, NULL, NULL },
	{ "MAIL.EXAMPLE.COM.", "192.0.2.9", VCLASS_MAIL, NULL, NULL },
	/* no address known: shapes stand in */
	{ "0xd5aaf40b.dhcp.kabelnettet.dk", NULL, VCLASS_DYNAMIC, "shape=hexlike access=dhcp", NULL },
	{ "50-203-126-142-static.hfc.comcastbusiness.net", NULL, VCLASS_STATIC, "shape=iplike(4)", NULL },
	{ "unknown", "192.0.2.1", VCLASS_UNKNOWN, "by=no-ptr", NULL },
	{ "", NULL, VCLASS_UNKNOWN, NULL, NULL },
	{ "a..b.example", "192.0.2.1", VCLASS_NONE, "by=bad-name", NULL },
};

static void
run_cases(const struct tokens *tk)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct classify_result r;
		struct addr a;

		if (c->ip && addr_parse(&a, c->ip) < 0) {
			ok(0, "test address %s parses", c->ip);
			continue;
		}
		classify(tk, c->name, c->ip ? &a : NULL, &r);
		if (!ok(r.cls == c->want && (!c->has || strstr(r.reason, c->has)) &&
		    (!c->hasnt || !strstr(r.reason, c->hasnt)),
		    "%s %s -> %s", c->name, c->ip ? c->ip : "-",
		    vclass_name(c->want)))
			diag("  got %s \"%s\"; want %s \"%s\"%s%s",
			    vclass_name(r.cls), r.reason, vclass_name(c->want),
			    c->has ? c->has : "", c->hasnt ? " without " : "",
			    c->hasnt ? c->hasnt : "");
	}
}

static void
bad_tokens(const char *text, const char *want)
{
	struct ydoc *d = ydoc_load_mem("tok.yaml", text, strlen(text));
	struct tokens *t = tokens_load_doc(d);

	ok(t == NULL && d->nerrs >= 1, "bad tokens file refused: %s", want);
	is_str(d->nerrs ? d->errs[0] : NULL, want, "error line");
	tokens_free(t);
	ydoc_free(d);
}

/*
 * word_kind() remembers the splits of runs that are no words; what it
 * remembered must not outlive a change of vocabulary: a word added to the
 * same object, or a new object (a reload), perhaps at the freed one's
 * address.  "zqxywcable" is two words once "zqxyw" is one.
 */
static void
word_memo(void)
{
	const char *name = "zqxywcable-10-1-2-3.example.org";
	struct tokens *t = tokens_new();
	struct classify_result r;
	struct addr a;
	const char *err;

	addr_parse(&a, "10.1.2.3");
	classify(t, name, &a, &r);
	is_str(vclass_name(r.cls), "generic", "run of no words: generic");
	classify(t, name, &a, &r);
	is_str(vclass_name(r.cls), "generic", "asked again (the memo): generic");
	ok(tokens_add_word(t, TOK_STATIC, "zqxyw", &err) == 0, "word added");
	classify(t, name, &a, &r);
	is_str(vclass_name(r.cls), "static", "after the word is added: static");
	ok(strstr(r.reason, "access=zqxywcable static=zqxywcable") != NULL,
	    "both words named: %s", r.reason);
	tokens_free(t);
	t = tokens_new();       /* likely where the last one was */
	classify(t, name, &a, &r);
	is_str(vclass_name(r.cls), "generic", "a new vocabulary without it: generic");
	tokens_free(t);
}

/*
 * The public-suffix memo is found by a 64-bit key that is no keyed hash:
 * whoever owns an address chooses its PTR, and a tail with the key of
 * another provider's tail takes half a second to find (8 bytes tried at
 * random, the next 8 solved for by inverting one mixing step, until all 16
 * are letters or digits).  x8l9lxqlh70mv6lj.ck (a public suffix itself,
 * under *.ck), found so, has the key of abcdefghijklmnop.de: asked first,
 * it must not decide where the other's registered domain starts.
 */
static void
suffix_memo_collision(void)
{
	const char *a = "x8l9lxqlh70mv6lj.ck", *v = "abcdefghijklmnop.de";
	struct tokens *t = tokens_new();
	struct classify_result r;
	struct addr ip;

	ok(mix64(a, strlen(a)) == mix64(v, strlen(v)),
	    "fixture: the two tails share a key");
	addr_parse(&ip, "192.0.2.9");
	classify(t, "mail.x8l9lxqlh70mv6lj.ck", &ip, &r);
	ok(strstr(r.reason, "host-part=none") != NULL,
	    "the chosen tail is a public suffix: %s", r.reason);
	classify(t, "mail.abcdefghijklmnop.de", &ip, &r);
	is_str(r.reason, "by=server-word server=mail",
	    "the other tail is not taken for it");
	tokens_free(t);
}

int
main(void)
{
	struct tokens *tk, *builtin = tokens_new();
	struct classify_result r;
	struct ydoc *doc;
	struct addr a;
	size_t nd;

	tk = tokens_load_file("etc/tokens.yaml", &doc);
	if (!ok(tk != NULL, "etc/tokens.yaml loads"))
		ydoc_print_errors(doc, stdout);
	ydoc_free(doc);
	if (tk == NULL)
		return done_testing();
	ok(tokens_count(tk, &nd) > 100 && nd > 100, "vocabulary and domains");
	run_cases(tk);

	/* the built-in vocabulary alone: rented servers are hosting */
	addr_parse(&a, "100.42.67.92");
	classify(builtin, "92-67-42-100-dedicated.multacom.com", &a, &r);
	is_str(vclass_name(r.cls), "generic", "dedicated: hosting without the data file");
	addr_parse(&a, "185.12.34.61");
	classify(builtin, "colo-185-12-34-61.example-dc.net", &a, &r);
	is_str(vclass_name(r.cls), "generic", "colo: hosting without the data file");
	/* the built-in vocabulary alone still gets the cloud trap right */
	addr_parse(&a, "3.80.1.2");
	classify(builtin, "ec2-3-80-1-2.compute-1.amazonaws.com", &a, &r);
	is_str(vclass_name(r.cls), "generic", "ec2 name generic without the data file");
	ok(tokens_word(builtin, "pool", 4, NULL) == TOK_ACCESS, "built-in access word");
	is_int(vclass_parse("static"), VCLASS_STATIC, "vclass_parse");
	is_int(vclass_parse("bogus"), -1, "vclass_parse rejects");
	word_memo();
	suffix_memo_collision();

	bad_tokens("words:\n  access: [Dsl]\n",
	    "tok.yaml:2:12: a word has lowercase letters a-z only (digits and separators split names into words)");
	bad_tokens("words:\n  acess: [dsl]\n", "tok.yaml:2:3: unknown key \"acess\"");
	bad_tokens("domains:\n  isp:\n    - \"bad domain\"\n",
	    "tok.yaml:3:7: not a domain name (letters, digits, '-', '.')");
	bad_tokens("words: [x]\n", "tok.yaml:1:8: expected a mapping");
	tokens_free(builtin);
	tokens_free(tk);
	return done_testing();
}
