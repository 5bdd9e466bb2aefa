// Package seed fills a data dir with realistic demo data: `plaza seed`.
// Benchmarks and demos use it; later features add their own content here.
package seed

import (
	"fmt"
	"math/rand/v2"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
	"golang.org/x/crypto/bcrypt"

	"plaza/hooks/account"
)

// DemoPassword is every seeded member's password.
const DemoPassword = "plaza-demo-password"

// Command is the `seed` CLI subcommand.
func Command(app core.App) *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill the data dir with demo members and friendships",
		Long: "Creates demo members member1@example.org … memberN@example.org (password " + DemoPassword + ")\n" +
			"with realistic names, bios and friendships. Members that already exist are kept; running it again is safe.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			res, err := Run(app, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "seeded %d new members (%d in all), %d friendships, %d chats, %d moments and %d listings; sign in as member1@example.org / %s\n",
				res.NewMembers, res.Members, res.Friendships, res.Rooms, res.Posts, res.Listings, DemoPassword)
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Members, "members", 50, "how many demo members")
	cmd.Flags().IntVar(&opts.Friends, "friends", 12, "about how many friends each member has")
	cmd.Flags().IntVar(&opts.Groups, "groups", -1, "group chats to create (default: one per 5 members)")
	cmd.Flags().IntVar(&opts.GroupSize, "group-size", 8, "members per group chat")
	cmd.Flags().IntVar(&opts.Messages, "messages", 20, "messages of history per chat")
	cmd.Flags().IntVar(&opts.Posts, "posts", 2, "moments per member")
	cmd.Flags().IntVar(&opts.Reactions, "reactions", 6, "at most this many likes and comments per moment")
	cmd.Flags().IntVar(&opts.PhotoEvery, "photo-every", 3, "one moment in this many has photos (0: none)")
	cmd.Flags().IntVar(&opts.Listings, "listings", 2, "market listings for each of one member in three (0: none)")
	cmd.Flags().StringVar(&opts.Manifest, "manifest", "", "write a JSON file with every member's id, email and an auth token, and every room's members (for benchmarks)")
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "random seed (the same seed gives the same data)")
	return cmd
}

// Options says how much to seed.
type Options struct {
	Members    int
	Friends    int
	Groups     int // -1: one per 5 members
	GroupSize  int
	Messages   int // history per chat
	Posts      int // moments per member
	Reactions  int // likes and comments per moment, at most
	PhotoEvery int // one moment in this many has photos; 0 for none
	Listings   int // market listings for each of one member in three
	Manifest   string
	Seed       uint64
}

// Result counts what Run created.
type Result struct {
	Members, NewMembers, Friendships, Rooms, Posts, Listings int
	IDs                                                      []string // the demo members' ids, member1 first
}

// Email is the address of demo member i (1-based).
func Email(i int) string { return fmt.Sprintf("member%d@example.org", i) }

// Run seeds members and friendships. It hashes the demo password once, so
// thousands of members take seconds, and writes in chunked transactions.
func Run(app core.App, o Options) (Result, error) {
	var res Result
	if o.Members < 1 {
		return res, fmt.Errorf("--members must be at least 1")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.DefaultCost)
	if err != nil {
		return res, err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return res, err
	}

	res.IDs = make([]string, o.Members)
	for start := 0; start < o.Members; start += 500 {
		end := min(start+500, o.Members)
		err := app.RunInTransaction(func(tx core.App) error {
			for i := start; i < end; i++ {
				if existing, err := tx.FindAuthRecordByEmail(users, Email(i+1)); err == nil {
					res.IDs[i] = existing.Id
					continue
				}
				m := core.NewRecord(users)
				m.Set("name", name(rng))
				m.SetEmail(Email(i + 1))
				m.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: string(hash)})
				m.SetVerified(true)
				m.Set("bio", bios[rng.IntN(len(bios))])
				m.Set("status", "active")
				m.Set("role", account.RoleMember)
				m.Set("privacy", account.DefaultPrivacy())
				if err := tx.SaveNoValidate(m); err != nil {
					return err
				}
				res.IDs[i] = m.Id
				res.NewMembers++
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	res.Members = o.Members

	n, err := befriend(app, rng, res.IDs, o.Friends)
	res.Friendships = n
	if err != nil {
		return res, err
	}
	if res.Rooms, err = chats(app, rng, res.IDs, o); err != nil {
		return res, err
	}
	if res.Posts, err = posts(app, rng, res.IDs, o); err != nil {
		return res, err
	}
	if res.Listings, err = listings(app, rng, res.IDs, o); err != nil {
		return res, err
	}
	if o.Manifest != "" {
		err = writeManifest(app, o.Manifest, res.IDs)
	}
	return res, err
}

// befriend links each member to about k/2 random others (so each ends with
// about k friends), plus one pending request in every ten members.
func befriend(app core.App, rng *rand.Rand, ids []string, k int) (int, error) {
	if len(ids) < 2 || k < 1 {
		return 0, nil
	}
	created := 0
	for start := 0; start < len(ids); start += 200 {
		end := min(start+200, len(ids))
		err := app.RunInTransaction(func(tx core.App) error {
			for i := start; i < end; i++ {
				want := max(1, k/2)
				for j := 0; j < want; j++ {
					other := ids[rng.IntN(len(ids))]
					state := "accepted"
					if j == 0 && i%10 == 9 {
						state = "pending"
					}
					ok, err := link(tx, ids[i], other, state)
					if err != nil {
						return err
					}
					if ok {
						created++
					}
				}
			}
			return nil
		})
		if err != nil {
			return created, err
		}
	}
	return created, nil
}

// link inserts a friendship row unless the pair already has one either way.
func link(tx core.App, a, b, state string) (bool, error) {
	if a == b {
		return false, nil
	}
	var n int
	err := tx.DB().NewQuery(`SELECT COUNT(*) FROM friendships
		WHERE (requester = {:a} AND addressee = {:b}) OR (requester = {:b} AND addressee = {:a})`).
		Bind(dbx.Params{"a": a, "b": b}).Row(&n)
	if err != nil || n > 0 {
		return false, err
	}
	c, err := tx.FindCachedCollectionByNameOrId("friendships")
	if err != nil {
		return false, err
	}
	r := core.NewRecord(c)
	r.Set("requester", a)
	r.Set("addressee", b)
	r.Set("state", state)
	return true, tx.SaveNoValidate(r)
}

func name(rng *rand.Rand) string {
	return firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
}

var firstNames = []string{
	"Amara", "Ben", "Chen", "Dara", "Elif", "Femi", "Gabriela", "Hana", "Ivan", "Jun", "Kofi", "Lena",
	"Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
	"Yusuf", "Zoe", "Aiko", "Bilal", "Carmen", "Dmitri", "Esther", "Farah", "Goran", "Hugo", "Ines", "Jonas",
	"Kaito", "Leila", "Marek", "Noor", "Olu", "Paula", "Rahul", "Sofia", "Tomás", "Ulla", "Wei", "Yara",
}

var lastNames = []string{
	"Okafor", "Schmidt", "Wang", "Silva", "Yılmaz", "Adeyemi", "Rossi", "Tanaka", "Petrov", "Kim", "Mensah",
	"Novak", "García", "Haddad", "Khan", "Patel", "Murphy", "Fernández", "Lindqvist", "Aziz", "Iyer", "Kowalski",
	"Liu", "Morales", "Demir", "Dubois", "Sato", "Hussain", "Costa", "Ivanova", "Cohen", "Nakamura", "Müller",
	"Nguyen", "Santos", "Berg", "Das", "Moreau", "Popescu", "Jensen",
}

var bios = []string{
	"", "", "Gardening, bread and long walks.", "Board games on Fridays — ask me!", "Cycling to work, rain or shine.",
	"Coffee first.", "Learning the cello, slowly.", "Parent of two, owner of one very loud cat.",
	"I fix bikes for neighbours.", "Running the book swap in the lobby.", "Always up for a hike.",
	"Photographer on weekends.", "Volunteer at the community kitchen.", "Here for the market — selling plants.",
}
