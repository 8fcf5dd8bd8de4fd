{% load i18n static %}<?xml version="1.0" encoding="utf-8"?>
{% comment %}A browser opening one of the site's RSS or Atom feeds (articles/feeds.py) shows this
page instead of raw XML: what a feed is, how to subscribe, the newest items. Feed readers ignore
it. Only the site's own stylesheet and script, so the site's CSP holds. Served by
articles.views.feed_stylesheet in the reader's language; {{ title }} and {{ kind }} are XSL
elements that write the feed's title and kind.{% endcomment %}
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="site" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="kind">
    <xsl:choose><xsl:when test="/rss">RSS</xsl:when><xsl:otherwise>Atom</xsl:otherwise></xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="{/rss/channel/language | /atom:feed/@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title>{% blocktranslate %}{{ title }} ({{ kind }} feed){% endblocktranslate %}</title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
        <script src="{% static 'js/copy-link.js' %}" defer="defer"></script>
      </head>
      <body class="feed-page">
        <header class="site-header">
          <div class="wrap site-header__inner">
            <a class="site-name" href="{$site}"><xsl:value-of select="$title"/></a>
          </div>
        </header>
        <main class="wrap" id="content">
          <section class="feed-about" aria-labelledby="feed-about-heading">
            <p class="feed-about__kind"><svg class="icon" aria-hidden="true" focusable="false"><use href="{% static 'img/icons.svg' %}#feed"/></svg>
              {% blocktranslate %}{{ kind }} feed{% endblocktranslate %}</p>
            <h1 id="feed-about-heading">{% blocktranslate %}This is a news feed: follow {{ title }} in a feed reader{% endblocktranslate %}</h1>
            <p><xsl:value-of select="$description"/></p>
            <p>{% blocktranslate trimmed %}A feed lists the newest articles in a form that feed reader apps understand.
              Subscribe once and your reader shows every new article as soon as it is published:
              no account, no e-mail, no algorithm deciding what you see.{% endblocktranslate %}</p>
            <h2>{% translate "How to subscribe" %}</h2>
            <ol>
              <li>{% translate "Copy the address of this feed." %}</li>
              <li>{% blocktranslate trimmed %}Paste it into your feed reader (for example NetNewsWire, Feedly, Inoreader,
                Feeder or Thunderbird), usually under “Add feed” or “Subscribe”.{% endblocktranslate %}</li>
            </ol>
            <p class="feed-about__address">
              <label for="feed-address">{% translate "Feed address" %}</label>
              <span class="feed-about__copy">
                <input id="feed-address" type="url" readonly="readonly" value="{$self}"/>
                <a class="button" href="{$self}" data-copy-link="" data-copied="{% translate "Address copied: paste it into your feed reader." %}" data-copy-failed="{% translate "Could not copy: select the address and copy it." %}">{% translate "Copy the address" %}</a>
              </span>
            </p>
            <p class="share__status" role="status" data-copy-status=""></p>
            <p><a href="{$site}">{% translate "Back to the site" %}</a></p>
          </section>
          <section aria-labelledby="feed-items-heading">
            <h2 class="list-heading" id="feed-items-heading">{% translate "Latest in this feed" %}</h2>
            <ol class="feed-items">
              <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            </ol>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="feed-item">
      <h3 class="card__title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="card__meta"><xsl:value-of select="pubDate"/></p>
      {# The lead: HTML-escaped text, so written as HTML (its only markup is character references); a full-text feed's body stays for the feed reader. #}
      <xsl:if test="not(contains(description, '&lt;'))">
        <p class="card__excerpt"><xsl:value-of select="description" disable-output-escaping="yes"/></p>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="feed-item">
      <h3 class="card__title"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="card__meta"><xsl:value-of select="translate(substring(atom:published | atom:updated, 1, 16), 'T', ' ')"/></p>
      <xsl:if test="not(contains(atom:summary, '&lt;'))">
        <p class="card__excerpt"><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></p>
      </xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
