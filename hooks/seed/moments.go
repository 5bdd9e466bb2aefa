package seed

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"plaza/hooks/account"
	"plaza/hooks/moments"
)

// posts gives members moments: text, sometimes photos, with likes and
// comments from their friends. Members who already posted get none.
func posts(app core.App, rng *rand.Rand, ids []string, o Options) (int, error) {
	var existing int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM posts").Row(&existing); err != nil || existing > 0 {
		return 0, err
	}
	created := 0
	for _, id := range ids {
		friends, err := account.FriendIDs(app, id)
		if err != nil {
			return created, err
		}
		for range o.Posts {
			d := moments.Draft{Author: id, Body: captions[rng.IntN(len(captions))], Visibility: "friends"}
			if rng.IntN(4) == 0 {
				d.Visibility = "public"
			}
			if o.PhotoEvery > 0 && rng.IntN(o.PhotoEvery) == 0 {
				for i := range 1 + rng.IntN(4) {
					f, err := demoPhoto(rng, i)
					if err != nil {
						return created, err
					}
					d.Photos = append(d.Photos, f)
				}
			}
			if rng.IntN(5) == 0 {
				d.Location = places[rng.IntN(len(places))]
			}
			post, err := moments.Publish(app, d)
			if err != nil {
				return created, err
			}
			created++
			reacted := 0
			for _, f := range friends {
				if reacted >= o.Reactions {
					break
				}
				switch rng.IntN(6) {
				case 0:
					if err := moments.Like(app, post.Id, f); err != nil {
						return created, err
					}
					reacted++
				case 1:
					if _, err := moments.Comment(app, post.Id, f, remarks[rng.IntN(len(remarks))], ""); err != nil {
						return created, err
					}
					reacted++
				}
			}
		}
	}
	return created, nil
}

// demoPhoto paints a small picture: soft colour bands, no two alike.
func demoPhoto(rng *rand.Rand, n int) (*filesystem.File, error) {
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	base := color.RGBA{uint8(60 + rng.IntN(160)), uint8(60 + rng.IntN(160)), uint8(60 + rng.IntN(160)), 255}
	for y := 0; y < 360; y++ {
		shade := uint8(y * 60 / 360)
		c := color.RGBA{base.R - min(base.R, shade), base.G - min(base.G, shade/2), base.B, 255}
		for x := 0; x < 480; x++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return filesystem.NewFileFromBytes(buf.Bytes(), "photo.png")
}

var captions = []string{
	"Sunday market haul 🍅", "First swim of the year — cold!", "The garden is finally blooming.",
	"Who else is coming to the picnic?", "New bike day 🚲", "Rainy afternoon, good book.",
	"Fresh bread from the community oven.", "Sunset from the roof.", "Kids' football final — we won!",
	"Trying a new recipe tonight.", "Volunteer day at the kitchen: thank you all!", "Morning run along the river.",
}

var places = []string{"Riverside Park", "Community garden", "Old Town", "Market square", "Lakeside"}

var remarks = []string{"Looks great!", "Count me in 🙌", "So jealous!", "Love this", "See you there", "Beautiful!"}
